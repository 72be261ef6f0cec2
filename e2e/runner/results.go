package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

// results is out/results.json: every scenario with its timings.
type results struct {
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished,omitzero"`
	Complete bool      `json:"complete"` // both boots ran to their end
	Package  string    `json:"package"`  // the .deb, or "binary" for pi-netconfig install
	Results  []*result `json:"scenarios"`
}

type result struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Boot    int      `json:"boot"`
	Pass    bool     `json:"pass"`
	Error   string   `json:"error,omitempty"`
	Seconds float64  `json:"seconds"`
	Timings []timing `json:"timings,omitempty"`
	Notes   []string `json:"notes,omitempty"`
}

type timing struct {
	Name    string  `json:"name"`
	Seconds float64 `json:"seconds"`
	Target  float64 `json:"target,omitempty"` // seconds; 0: none
}

func (r *result) time(name string, d time.Duration, target float64) {
	r.Timings = append(r.Timings, timing{Name: name, Seconds: secs(d), Target: target})
	logf("  [%s] %s = %.2f s", r.ID, name, secs(d))
}

func (r *result) note(format string, args ...any) {
	n := redact(fmt.Sprintf(format, args...))
	r.Notes = append(r.Notes, n)
	logf("  [%s] %s", r.ID, n)
}

func loadResults(path string) (*results, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r results
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &r, nil
}

func (r *results) save(paths ...string) {
	b, _ := json.MarshalIndent(r, "", "  ")
	for _, p := range paths {
		tmp := p + ".tmp"
		if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err == nil {
			os.Rename(tmp, p)
		}
	}
}

// printTable writes the human summary of a results file.
func printTable(w io.Writer, r *results) (failed int) {
	fmt.Fprintf(w, "\n%-9s %-4s %-60s %8s  %s\n", "SCENARIO", "RES", "NAME", "SECONDS", "TIMINGS (target)")
	ids := append([]*result{}, r.Results...)
	sort.SliceStable(ids, func(i, j int) bool { return ids[i].Boot < ids[j].Boot })
	for _, s := range ids {
		res := "PASS"
		if !s.Pass {
			res = "FAIL"
			failed++
		}
		var ts []string
		for _, t := range s.Timings {
			if t.Target > 0 {
				ts = append(ts, fmt.Sprintf("%s=%.1f (≤%.0f)", t.Name, t.Seconds, t.Target))
			} else {
				ts = append(ts, fmt.Sprintf("%s=%.1f", t.Name, t.Seconds))
			}
		}
		fmt.Fprintf(w, "%-9s %-4s %-60s %8.1f  %s\n", s.ID, res, trunc(s.Name, 60), s.Seconds, strings.Join(ts, " "))
		if s.Error != "" {
			fmt.Fprintf(w, "          error: %s\n", s.Error)
		}
	}
	if !r.Complete {
		fmt.Fprintln(w, "INCOMPLETE: the VM did not run every scenario to its end")
		failed++
	}
	fmt.Fprintf(w, "%d scenarios, %d failed\n", len(r.Results), failed)
	return failed
}

func trunc(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}
