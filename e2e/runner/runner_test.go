package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseLease(t *testing.T) {
	tests := []struct {
		name string
		out  string
		want map[string]string
	}{
		{"lease", "udhcpc: started, v1.35.0\nudhcpc: broadcasting discover\nudhcpc: broadcasting select for 10.0.0.181, server 10.0.0.1\nudhcpc: lease of 10.0.0.181 obtained from 10.0.0.1, lease time 3600\n",
			map[string]string{"ip": "10.0.0.181", "server": "10.0.0.1"}},
		{"none", "udhcpc: started, v1.35.0\nudhcpc: no lease, failing\n", map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, parseLease(tt.out)); diff != "" {
				t.Errorf("parseLease (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{13.1, 8.8, 12.9}, 12.9},
		{[]float64{4, 1, 3, 2}, 2.5},
	}
	for _, tt := range tests {
		if got := median(tt.in); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestRedact(t *testing.T) {
	got := redact(`{"ssid":"HomeNet","password":"` + homePassword + `"} ` + wrongPassword)
	if diff := cmp.Diff(`{"ssid":"HomeNet","password":"***"} ***`, got); diff != "" {
		t.Errorf("redact (-want +got):\n%s", diff)
	}
}
