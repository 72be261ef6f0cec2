package portal

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// benchHandler measures one route through the whole portal handler (host
// check, headers, route, JSON or template), without the network.
func benchHandler(b *testing.B, target, host string) {
	h := Handler(newFake(), hotspotOpts)
	r := httptest.NewRequest(http.MethodGet, target, nil)
	r.Host = host
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code >= 400 {
			b.Fatalf("status %d", w.Code)
		}
	}
}

func BenchmarkStatus(b *testing.B)   { benchHandler(b, "/api/status", "192.168.50.1") }
func BenchmarkScan(b *testing.B)     { benchHandler(b, "/api/scan", "192.168.50.1") }
func BenchmarkPage(b *testing.B)     { benchHandler(b, "/", "192.168.50.1") }
func BenchmarkProbe(b *testing.B)    { benchHandler(b, "/generate_204", "connectivitycheck.gstatic.com") }
func BenchmarkRedirect(b *testing.B) { benchHandler(b, "/some/page", "example.com") }
