package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// benchRun is one e2e run: its results and run.sh's timing.json.
type benchRun struct {
	res    *results
	timing struct {
		Cached bool `json:"image_cached"`
		Image  int  `json:"image_s"`
		VM     int  `json:"vm_s"`
		Total  int  `json:"total_s"`
	}
}

// benchCmd reads DIR/run-N/{results,timing}.json and prints the markdown
// section of docs/BENCHMARKS.md: the median of each timing.
func benchCmd(w io.Writer, dirs []string, header string) error {
	var runs []benchRun
	for _, d := range dirs {
		r, err := loadResults(d + "/results.json")
		if err != nil {
			return err
		}
		br := benchRun{res: r}
		if b, err := os.ReadFile(d + "/timing.json"); err == nil {
			json.Unmarshal(b, &br.timing)
		}
		runs = append(runs, br)
	}
	if len(runs) == 0 {
		return fmt.Errorf("no runs")
	}
	type key struct{ id, name string }
	vals := map[key][]float64{}
	var order []key
	passes := map[string]int{}
	var ids []string
	for _, br := range runs {
		for _, s := range br.res.Results {
			if _, ok := passes[s.ID]; !ok {
				ids = append(ids, s.ID)
			}
			if s.Pass {
				passes[s.ID]++
			} else {
				passes[s.ID] += 0
			}
			for _, t := range s.Timings {
				k := key{s.ID, t.Name}
				if _, ok := vals[k]; !ok {
					order = append(order, k)
				}
				vals[k] = append(vals[k], t.Seconds)
			}
		}
	}
	fmt.Fprintln(w, header)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| limit (SPEC §6) | target | median | runs |")
	fmt.Fprintln(w, "| --- | ---: | ---: | --- |")
	limits := []struct {
		k      key
		what   string
		target float64
	}{
		{key{"1", "hotspot_up_s"}, "hotspot up after service start, nothing saved (fresh install)", 5},
		{key{"8a", "hotspot_up_after_start_s"}, "hotspot up after service start, nothing saved (restart)", 5},
		{key{"3", "hotspot_back_s"}, "hotspot back, with the reason, after a wrong password", 45},
		{key{"5", "online_again_s"}, "online again after the router returns", 180},
	}
	for _, l := range limits {
		v := vals[l.k]
		if len(v) == 0 {
			fmt.Fprintf(w, "| %s | ≤ %.0f s | not reached in any run (scenario %s failed) | |\n", l.what, l.target, l.k.id)
			continue
		}
		mark := "✅"
		if median(v) > l.target {
			mark = "❌"
		}
		fmt.Fprintf(w, "| %s | ≤ %.0f s | %.1f s %s | %s |\n", l.what, l.target, median(v), mark, joinF(v))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| scenario | passed | timing | median (s) | runs (s) |")
	fmt.Fprintln(w, "| --- | --- | --- | ---: | --- |")
	seen := map[string]bool{}
	for _, id := range ids {
		for _, k := range order {
			if k.id != id {
				continue
			}
			p := ""
			if !seen[id] {
				p = fmt.Sprintf("%d/%d", passes[id], len(runs))
				seen[id] = true
			}
			fmt.Fprintf(w, "| %s | %s | %s | %.1f | %s |\n", id, p, k.name, median(vals[k]), joinF(vals[k]))
		}
		if !seen[id] {
			fmt.Fprintf(w, "| %s | %d/%d | | | |\n", id, passes[id], len(runs))
		}
	}
	fmt.Fprintln(w)
	var totals []string
	for i, br := range runs {
		c := "image built"
		if br.timing.Cached {
			c = "image cached"
		}
		totals = append(totals, fmt.Sprintf("run %d: %d s (%s %d s, VM %d s)", i+1, br.timing.Total, c, br.timing.Image, br.timing.VM))
	}
	fmt.Fprintf(w, "Whole e2e step (`scripts/tier-e2e.sh` minus package installs): %s.\n", strings.Join(totals, "; "))
	return nil
}

func median(v []float64) float64 {
	s := append([]float64{}, v...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func joinF(v []float64) string {
	var s []string
	for _, x := range v {
		s = append(s, fmt.Sprintf("%.1f", x))
	}
	return strings.Join(s, ", ")
}
