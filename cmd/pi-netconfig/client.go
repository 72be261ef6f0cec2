package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pi-netconfig/pi-netconfig/internal/control"
	"github.com/pi-netconfig/pi-netconfig/internal/netstate"
	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
	"github.com/pi-netconfig/pi-netconfig/internal/wifiqr"
)

// The client commands' answers from the daemon.
type statusAnswer struct {
	netstate.Status
	DeviceName string `json:"device_name"`
}

type scanAnswer struct {
	Networks []struct {
		wifi.Network
		Saved bool `json:"saved"`
	} `json:"networks"`
	Cached     bool   `json:"cached"`
	Note       string `json:"note"`
	AgeSeconds *int64 `json:"age_seconds"`
}

const requestTimeout = 30 * time.Second

func cmdStatus(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("status")
	sock := fs.String("socket", control.DefaultPath, "control socket")
	asJSON := fs.Bool("json", false, "print JSON")
	qr := fs.Bool("qr", false, "print the hotspot's WiFi QR code")
	if err := parse(fs, args); err != nil {
		return err
	}
	c := control.NewClient(*sock)
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	if *asJSON {
		var raw json.RawMessage
		if err := c.Do(ctx, "GET", "/api/status", nil, &raw); err != nil {
			return err
		}
		_, err := fmt.Fprintln(out, string(raw))
		return err
	}
	var st statusAnswer
	if err := c.Do(ctx, "GET", "/api/status", nil, &st); err != nil {
		return err
	}
	printStatus(out, st.Status)
	if *qr {
		if st.HotspotPassword == "" {
			return errors.New("the daemon did not say the hotspot password (run as root)")
		}
		fmt.Fprintf(out, "\nScan to join %s:\n", st.HotspotSSID)
		return wifiqr.Terminal(out, st.HotspotSSID, st.HotspotPassword)
	}
	return nil
}

func printStatus(out io.Writer, st netstate.Status) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", k, v)
		}
	}
	row("State", fmt.Sprintf("%s since %s (%s)", st.State, st.Since.Local().Format(time.DateTime), st.Reason))
	row("Network", st.SSID)
	row("Address", st.IPv4)
	row("Link", yesNo(st.Link))
	row("Internet", yesNo(st.Internet))
	row("Connected means", st.Policy)
	row("WiFi device", strings.TrimSpace(st.Interface+" "+st.MAC))
	hs := st.HotspotSSID
	if st.APActive {
		hs += fmt.Sprintf(" (up on %s, %d connected)", st.HotspotAddress, st.Stations)
	} else {
		hs += " (down)"
	}
	row("Hotspot", hs)
	row("Hotspot password", st.HotspotPassword)
	if st.SavedSSID != "" {
		row("Saved network", fmt.Sprintf("%s (last connected %s)", st.SavedSSID, st.LastConnected.Local().Format(time.DateTime)))
	} else {
		row("Saved network", "none")
	}
	if a := st.Attempt; a != nil {
		switch {
		case a.Running:
			row("Last attempt", fmt.Sprintf("connecting to %s…", a.SSID))
		case a.Success:
			row("Last attempt", fmt.Sprintf("%s: connected", a.SSID))
		default:
			row("Last attempt", fmt.Sprintf("%s: failed: %s. %s", a.SSID, a.Message, a.Hint))
		}
	}
	row("Busy", st.Busy)
	for _, p := range st.Problems {
		row("Problem", strings.TrimSpace(p.Message+" "+p.Fix))
	}
	tw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func cmdScan(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("scan")
	sock := fs.String("socket", control.DefaultPath, "control socket")
	asJSON := fs.Bool("json", false, "print JSON")
	rescan := fs.Bool("rescan", false, "in AP mode, take the hotspot down for a few seconds to scan")
	if err := parse(fs, args); err != nil {
		return err
	}
	c := control.NewClient(*sock)
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	path := "/api/scan"
	if *rescan {
		path += "?force=1"
	}
	var raw json.RawMessage
	if err := c.Do(ctx, "GET", path, nil, &raw); err != nil {
		return err
	}
	if *asJSON {
		_, err := fmt.Fprintln(out, string(raw))
		return err
	}
	var res scanAnswer
	if err := json.Unmarshal(raw, &res); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SSID\tSIGNAL\tSECURITY\tBAND\t")
	for _, n := range res.Networks {
		saved := ""
		if n.Saved {
			saved = "saved"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", n.SSID, n.Signal, n.Security, n.Band, saved)
	}
	tw.Flush()
	if res.Note != "" {
		fmt.Fprintln(out, res.Note)
	}
	return nil
}

func cmdConnect(ctx context.Context, args []string, in *os.File, out io.Writer) error {
	fs := newFlags("connect")
	sock := fs.String("socket", control.DefaultPath, "control socket")
	hidden := fs.Bool("hidden", false, "the network does not broadcast its name")
	stdin := fs.Bool("password-stdin", false, "read the password from standard input")
	noWait := fs.Bool("no-wait", false, "return once the attempt has started")
	if err := parse(fs, reorder(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("connect needs exactly one network name: pi-netconfig connect SSID (see pi-netconfig help)")
	}
	ssid := fs.Arg(0)
	if err := wifi.ValidateSSID(ssid); err != nil {
		return err
	}
	pw, err := readPassword(in, out, ssid, *stdin)
	if err != nil {
		return err
	}
	if err := wifi.ValidatePassword(pw); err != nil {
		return err
	}
	c := control.NewClient(*sock)
	req := map[string]any{"ssid": ssid, "password": pw, "hidden": *hidden}
	var ans struct {
		Success bool   `json:"success"`
		Message string `json:"message"`
	}
	rctx, cancel := context.WithTimeout(ctx, requestTimeout)
	err = c.Do(rctx, "POST", "/api/configure", req, &ans)
	cancel()
	if err != nil {
		return err
	}
	fmt.Fprintln(out, ans.Message)
	if *noWait {
		return nil
	}
	// Follow the attempt until it ends.
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
		var st statusAnswer
		rctx, cancel := context.WithTimeout(ctx, requestTimeout)
		err := c.Do(rctx, "GET", "/api/status", nil, &st)
		cancel()
		if err != nil {
			continue // the daemon is busy switching; ask again
		}
		a := st.Attempt
		if a == nil || a.SSID != ssid || a.Running {
			continue
		}
		if a.Success {
			fmt.Fprintf(out, "Connected to %s.\n", ssid)
			return nil
		}
		return fmt.Errorf("could not connect to %s: %s. %s", ssid, a.Message, a.Hint)
	}
	return fmt.Errorf("the attempt to join %s did not finish in 3 minutes; see pi-netconfig status", ssid)
}

// reorder moves flags before the positional SSID, so "connect HomeNet
// --hidden" works like "connect --hidden HomeNet".
func reorder(args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if strings.HasPrefix(a, "-") {
			flags = append(flags, a)
			if a == "--socket" || a == "-socket" {
				if i+1 < len(args) {
					flags = append(flags, args[i+1])
					i++
				}
			}
			continue
		}
		pos = append(pos, a)
	}
	return append(flags, pos...)
}

// readPassword reads the password from a prompt (no echo) or from stdin;
// never from the command line, where other users could see it.
func readPassword(in *os.File, out io.Writer, ssid string, fromStdin bool) (string, error) {
	if !fromStdin && isTerminal(in) {
		fmt.Fprintf(out, "Password for %s (empty for an open network): ", ssid)
		pw, err := readNoEcho(in)
		fmt.Fprintln(out)
		return pw, err
	}
	line, err := bufio.NewReader(io.LimitReader(in, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func cmdForget(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("forget")
	sock := fs.String("socket", control.DefaultPath, "control socket")
	if err := parse(fs, args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	var ans struct {
		Message string `json:"message"`
	}
	if err := control.NewClient(*sock).Do(ctx, "POST", "/api/forget", map[string]any{}, &ans); err != nil {
		return err
	}
	fmt.Fprintln(out, nonEmpty(ans.Message, "Forgot the saved networks."))
	return nil
}

func cmdAP(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("ap")
	sock := fs.String("socket", control.DefaultPath, "control socket")
	if err := parse(fs, reorder(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 || (fs.Arg(0) != "start" && fs.Arg(0) != "stop") {
		return errors.New("say pi-netconfig ap start or pi-netconfig ap stop (see pi-netconfig help)")
	}
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	var ans struct {
		Message string `json:"message"`
	}
	on := fs.Arg(0) == "start"
	if err := control.NewClient(*sock).Do(ctx, "POST", "/api/hotspot", map[string]any{"on": on}, &ans); err != nil {
		return err
	}
	fmt.Fprintln(out, nonEmpty(ans.Message, "Done."))
	return nil
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
