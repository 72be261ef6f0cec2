package netstate

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

// handle runs one command on the owner goroutine.
func (m *Machine) handle(ctx context.Context, c command, tick *time.Ticker) {
	defer m.pet()
	switch c.kind {
	case cmdScan:
		c.reply <- result{scan: m.scanCmd(ctx, c.flag)}
	case cmdConfigure:
		// Answer first: the attempt takes the hotspot down, and the
		// portal's answer must reach the phone before that.
		c.reply <- result{}
		m.configure(ctx, c.creds)
		m.pending.Store(false)
		tick.Reset(m.set.CheckInterval)
	case cmdForget:
		c.reply <- result{err: m.forget(ctx)}
	case cmdHotspot:
		c.reply <- result{err: m.hotspotCmd(ctx, c.flag)}
		tick.Reset(m.set.CheckInterval)
	case cmdReload:
		c.reply <- result{err: m.reload(ctx, c.set)}
		tick.Reset(m.set.CheckInterval)
	case cmdWedge:
		c.reply <- result{}
		m.log.Warn("fault injection: owner loop wedged until shutdown")
		<-ctx.Done()
	}
}

func (m *Machine) scanCmd(ctx context.Context, force bool) ScanResult {
	cached := func(note string) ScanResult {
		return ScanResult{Networks: m.o.scan, ScannedAt: m.o.scanAt, Cached: true, Note: note}
	}
	if m.o.state == APMode && !force {
		return cached("The device cannot scan while its hotspot is up; this list is from " + ago(m.o.scanAt) + ", before the hotspot started.")
	}
	if m.o.state == APMode {
		m.setBusy("scanning")
		defer m.setBusy("")
		m.hotspotDown(ctx)
		err := m.doScan(ctx, scanTimeout)
		if uerr := m.hotspotUp(ctx); uerr != nil {
			m.log.Error("hotspot after rescan", "err", uerr)
			m.enter(Checking, "the hotspot failed to come back after a rescan: "+uerr.Error())
		}
		if err != nil {
			return cached("The rescan failed; this list is from " + ago(m.o.scanAt) + ".")
		}
		return ScanResult{Networks: m.o.scan, ScannedAt: m.o.scanAt}
	}
	if err := m.doScan(ctx, scanTimeout); err != nil {
		if errors.Is(err, wifi.ErrScanUnavailable) {
			return cached("The radio cannot scan right now; this list is from " + ago(m.o.scanAt) + ".")
		}
		return cached("The scan failed (" + err.Error() + "); this list is from " + ago(m.o.scanAt) + ".")
	}
	return ScanResult{Networks: m.o.scan, ScannedAt: m.o.scanAt}
}

// configure runs one connection attempt a person asked for. The new network
// replaces the saved one only once it has connected; on failure its profile
// is deleted, the classified reason kept, and the previous situation
// restored (the old network, else the hotspot).
func (m *Machine) configure(ctx context.Context, c wifi.Credentials) {
	log := m.log.With("ssid", c.SSID)
	if c.Security == "" && !c.Hidden {
		for _, n := range m.o.scan {
			if n.SSID == c.SSID {
				c.Security = n.Security
				break
			}
		}
	}
	m.o.attempt = &Attempt{SSID: c.SSID, Running: true, Started: time.Now()}
	m.setBusy(fmt.Sprintf("connecting to %q", c.SSID))
	defer m.setBusy("")
	log.Info("connection attempt", "hidden", c.Hidden, "security", string(c.Security))

	wasAP := m.o.state == APMode
	prevSSID := m.o.link.SSID
	prevProfile := m.o.link.ProfileID
	if wasAP {
		select { // let the portal's answer reach the phone
		case <-time.After(m.set.HandoffDelay):
		case <-ctx.Done():
			return
		}
		m.hotspotDown(ctx)
	}
	m.enter(Checking, fmt.Sprintf("connecting to %q (requested)", c.SSID))

	cctx, cancel := context.WithTimeout(ctx, opTimeout)
	prof, err := m.opts.Radio.Add(cctx, c)
	cancel()
	if err == nil {
		err = m.activate(ctx, prof.ID)
	}
	if ctx.Err() != nil {
		return // shutting down; Run takes care of the rest
	}
	if err != nil {
		ce := classify(err)
		log.Warn("connection attempt failed", "reason", string(ce.Reason), "detail", ce.Detail)
		if prof.ID != "" {
			dctx, cancel := context.WithTimeout(ctx, opTimeout)
			if derr := m.opts.Radio.Delete(dctx, prof.ID); derr != nil && !errors.Is(derr, wifi.ErrNotFound) {
				log.Warn("delete failed profile", "err", derr)
			}
			cancel()
		}
		// The outcome is published once the old situation is back, so a
		// client that sees it can act at once (the hotspot is up again).
		m.restore(ctx, c.SSID, ce, wasAP, prevSSID, prevProfile)
		a := m.o.attempt
		a.Running, a.Finished, a.Success = false, time.Now(), false
		a.Reason, a.Message, a.Hint = ce.Reason, ce.Reason.Message(), ce.Reason.Hint()
		m.publish()
		return
	}

	// Connected: the new network replaces the ones saved before.
	for _, p := range m.refreshSaved(ctx) {
		if p.ID == prof.ID || p.Foreign {
			continue
		}
		dctx, cancel := context.WithTimeout(ctx, opTimeout)
		if derr := m.opts.Radio.Delete(dctx, p.ID); derr != nil && !errors.Is(derr, wifi.ErrNotFound) {
			log.Warn("delete replaced profile", "old", p.SSID, "err", derr)
		}
		cancel()
	}
	m.refreshSaved(ctx)
	m.recordConnected(c.SSID)
	a := m.o.attempt
	a.Running, a.Finished, a.Success = false, time.Now(), true
	a.Message = fmt.Sprintf("Connected to %s.", c.SSID)
	m.o.failures = 0
	m.o.manualAP = false
	m.link(ctx)
	m.o.internet = m.probe(ctx)
	m.enter(Client, fmt.Sprintf("connected to %q (requested)", c.SSID))
}

// restore brings back what was there before a failed attempt.
func (m *Machine) restore(ctx context.Context, ssid string, ce *wifi.ConnectError, wasAP bool, prevSSID, prevProfile string) {
	why := fmt.Sprintf("connection to %q failed: %s", ssid, ce.Reason.Message())
	if !wasAP && prevProfile != "" {
		if err := m.activate(ctx, prevProfile); err == nil {
			m.link(ctx)
			m.enter(Client, fmt.Sprintf("%s; back on %q", why, prevSSID))
			return
		}
	}
	m.goAP(ctx, why)
}

func classify(err error) *wifi.ConnectError {
	var ce *wifi.ConnectError
	if errors.As(err, &ce) {
		return ce
	}
	return &wifi.ConnectError{Reason: wifi.ReasonOther, Detail: err.Error()}
}

func (m *Machine) forget(ctx context.Context) error {
	saved := m.refreshSaved(ctx)
	for _, p := range saved {
		if p.Foreign {
			m.log.Info("keeping a network pi-netconfig did not save", "ssid", p.SSID, "id", p.ID)
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, opTimeout)
		err := m.opts.Radio.Delete(cctx, p.ID)
		cancel()
		if err != nil && !errors.Is(err, wifi.ErrNotFound) {
			return fmt.Errorf("forget %q: %w", p.SSID, err)
		}
		m.log.Info("forgot network", "ssid", p.SSID)
	}
	m.o.savedSSID, m.o.lastConn = "", time.Time{}
	if m.opts.Persist != nil {
		if err := m.opts.Persist("", time.Time{}); err != nil {
			return fmt.Errorf("forget: %w", err)
		}
	}
	m.refreshSaved(ctx)
	m.check(ctx, "saved networks forgotten", false)
	return nil
}

// ErrNothingSaved is returned by Hotspot(false) when stopping the hotspot
// would only bring it straight back.
var ErrNothingSaved = errors.New("netstate: no saved network")

func (m *Machine) hotspotCmd(ctx context.Context, on bool) error {
	if on {
		m.o.manualAP = true
		if m.o.state == APMode {
			return nil
		}
		m.goAP(ctx, "hotspot started by request")
		if m.o.state != APMode {
			return fmt.Errorf("the hotspot did not start: %s", m.o.reason)
		}
		return nil
	}
	m.o.manualAP = false
	if m.o.state != APMode {
		return nil
	}
	if len(m.refreshSaved(ctx)) == 0 {
		return fmt.Errorf("%w: the hotspot would come straight back; connect to a network first", ErrNothingSaved)
	}
	m.hotspotDown(ctx)
	m.o.failures = 0
	m.enter(Checking, "hotspot stopped by request")
	for _, p := range m.o.saved {
		if err := m.activate(ctx, p.ID); err == nil {
			m.recordConnected(p.SSID)
			m.check(ctx, "hotspot stopped by request", false)
			return nil
		}
	}
	m.check(ctx, "hotspot stopped by request", false)
	return nil
}

func (m *Machine) reload(ctx context.Context, set Settings) error {
	old := m.o.hotspot
	m.set = set
	if m.o.dev.Iface != "" {
		m.o.hotspot = wifi.Hotspot{SSID: hotspotSSID(set.HotspotPrefix, m.o.dev), Password: set.HotspotPassword, Address: set.HotspotAddress}
	}
	m.log.Info("settings reloaded", "interval", set.CheckInterval, "threshold", set.FailureThreshold, "policy", set.Policy)
	if m.o.apActive && m.o.hotspot != old {
		m.log.Info("hotspot settings changed; restarting the hotspot", "ssid", m.o.hotspot.SSID)
		if err := m.hotspotUp(ctx); err != nil {
			m.enter(Checking, "the hotspot failed to restart with the new settings: "+err.Error())
			return err
		}
	}
	m.publish()
	return nil
}
