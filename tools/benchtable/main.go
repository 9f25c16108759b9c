// Command benchtable prints go test -bench output as one markdown table of
// medians, with app.wasm's sizes, for make bench and the README.
//
//	benchtable -wasm wasm_exec/app.wasm go-bench.txt browser-bench.txt
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

// rows names each metric in the table, in order; units not listed are left out.
var rows = []struct{ unit, what string }{
	{"ms-cold-load", "cold load to an interactive join form (ms, fresh profile)"},
	{"ms-baseline-ot-first", "first load, 20 Mbit/s 40 ms: baseline page to window.OT, first visit (ms)"},
	{"ms-baseline-ot-repeat", "first load, 20 Mbit/s 40 ms: baseline page to window.OT, repeat visit (ms)"},
	{"ms-form-visible", "first load: join form visible (first paint, ms)"},
	{"ms-typing-accepted", "first load: first key typed into the form (ms)"},
	{"ms-wasm-request", "first load: app.wasm requested (ms)"},
	{"ms-wasm-downloaded", "first load: app.wasm downloaded (ms)"},
	{"kB-wasm-transferred", "first load: app.wasm bytes over the link (kB, as the browser took it)"},
	{"ms-wasm-compiled", "first load: app.wasm compiled and instantiated (ms)"},
	{"ms-app-rendered", "first load: Go started, go-app's first render (ms)"},
	{"ms-join-working-first", "first load: Join working, first visit (ms)"},
	{"ms-join-working-repeat", "first load: Join working, repeat visit (ms)"},
	{"ms-repeat-wasm-downloaded", "first load: app.wasm downloaded, repeat visit (ms)"},
	{"ms-repeat-wasm-compiled", "first load: app.wasm compiled and instantiated, repeat visit (ms)"},
	{"ms-repeat-app-rendered", "first load: go-app's first render, repeat visit (ms)"},
	{"x-typing-accepted", "first load: typing accepted / baseline to OT, first visit"},
	{"x-join-working-first", "first load: Join working / baseline to OT, first visit"},
	{"x-join-working-repeat", "first load: Join working / baseline to OT, repeat visit"},
	{"ms-join-to-frame", "Join call click to the first remote frame shown (ms)"},
	{"ms-change-to-mismatch", "secret change to the mismatch banner at the other side (ms)"},
	{"ms-restore-to-match", "secret restored to the match banner (ms)"},
	{"ms-restore-to-frame", "secret restored to the first frame shown again (ms)"},
	{"fps-encoded-encrypted", "frames encoded per second per sent video, encrypted call"},
	{"fps-encoded-plain", "frames encoded per second per sent video, same call with transforms off"},
	{"fps-decoded-encrypted", "frames decoded per second per received video, encrypted call"},
	{"fps-decoded-plain", "frames decoded per second per received video, same call with transforms off"},
	{"fps-decoded-ratio", "encrypted / plain frames decoded per second"},
	{"dropped-encrypted", "frames dropped per received video in the window, encrypted"},
	{"dropped-plain", "frames dropped per received video in the window, plain"},
	{"freezes-encrypted", "freezes per received video in the window, encrypted"},
	{"freezes-plain", "freezes per received video in the window, plain"},
	{"plis-encrypted", "PLIs sent per received video in the window, encrypted"},
	{"plis-plain", "PLIs sent per received video in the window, plain"},
	{"%-bandwidth-limited-encrypted", "senders' time limited by bandwidth (%), encrypted"},
	{"%-bandwidth-limited-plain", "senders' time limited by bandwidth (%), plain"},
	{"%-cpu-limited-encrypted", "senders' time limited by CPU (%), encrypted"},
	{"%-cpu-limited-plain", "senders' time limited by CPU (%), plain"},
	{"decrypt-failures", "frames the worker failed to decrypt in the window"},
	{"cores-encrypted", "browser CPU, cores busy, encrypted call"},
	{"cores-plain", "browser CPU, cores busy, plain call"},
	{"cores-encryption", "browser CPU of encryption, cores (encrypted − plain)"},
	{"cores-worker", "browser CPU in the encryption workers' threads, cores"},
	{"µs-encrypt/frame", "encrypt one frame in the worker, wall time with awaits (µs)"},
	{"µs-decrypt/frame", "decrypt one frame in the worker, wall time with awaits (µs)"},
	{"%core-outline-on", "call of 5 (SPEAKING_PEOPLE): watcher's renderer CPU, speaking outline on (% of one core)"},
	{"%core-outline-off", "call of 5 (SPEAKING_PEOPLE): watcher's renderer CPU, speaking outline off (% of one core)"},
	{"%core-outline", "call of 5 (SPEAKING_PEOPLE): the speaking outline's CPU, on − off (% of one core)"},
	{"level-events/s", "call of 5 (SPEAKING_PEOPLE): audioLevelUpdated events the watcher gets a second"},
	{"outline-changes/s", "call of 5 (SPEAKING_PEOPLE): speaking outlines starting or ending a second"},
	{"ns/op", "SFU: forward one packet (ns)"},
	{"ns/subscriber-packet", "SFU: per packet and subscriber (ns)"},
	{"allocs/op", "SFU: allocations per forwarded packet"},
	{"MiB-rss-3-people", "server resident memory, 3 people in a call (MiB)"},
	{"MiB-heap-3-people", "server Go heap, 3 people in a call (MiB)"},
}

func main() {
	wasm := flag.String("wasm", "wasm_exec/app.wasm", "the built app.wasm; its .gz and .br copies sit beside it")
	flag.Parse()
	samples := map[string]map[string][]float64{} // benchmark → unit → values
	var order []string
	for _, name := range flag.Args() {
		if err := read(name, samples, &order); err != nil {
			fmt.Fprintln(os.Stderr, "benchtable:", err)
			os.Exit(1)
		}
	}
	fmt.Println("| measure | median | runs |")
	fmt.Println("|---|---:|---:|")
	for _, suffix := range []string{"", ".gz", ".br"} {
		if fi, err := os.Stat(*wasm + suffix); err == nil {
			fmt.Printf("| app.wasm bytes, %s | %s | 1 |\n", map[string]string{"": "raw", ".gz": "gzip -9", ".br": "brotli 11"}[suffix], thousands(fi.Size()))
		}
	}
	for _, bench := range order {
		for _, r := range rows {
			values := samples[bench][r.unit]
			if len(values) == 0 || (strings.HasPrefix(r.unit, "ns/op") || r.unit == "allocs/op") && !strings.Contains(bench, "Forward") {
				continue
			}
			what := r.what
			if bench == "BenchmarkForwardParse" {
				what = map[string]string{"ns/op": "SFU: our own work per packet before pion's fan-out (ns)", "allocs/op": "SFU: our own allocations per packet"}[r.unit]
			}
			if strings.Contains(bench, "Forward/") {
				what += ", " + strings.TrimPrefix(bench[strings.Index(bench, "/")+1:], "subscribers=") + " subscribers"
			}
			fmt.Printf("| %s | %s | %d |\n", what, format(median(values)), len(values))
		}
	}
}

func read(name string, samples map[string]map[string][]float64, order *[]string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		bench := fields[0]
		if i := strings.LastIndex(bench, "-"); i > 0 {
			bench = bench[:i] // the GOMAXPROCS suffix
		}
		if samples[bench] == nil {
			samples[bench] = map[string][]float64{}
			*order = append(*order, bench)
		}
		for i := 2; i+1 < len(fields); i += 2 {
			if v, err := strconv.ParseFloat(fields[i], 64); err == nil {
				samples[bench][fields[i+1]] = append(samples[bench][fields[i+1]], v)
			}
		}
	}
	return s.Err()
}

func median(v []float64) float64 {
	v = slices.Clone(v)
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func format(v float64) string {
	switch {
	case v >= 1000:
		return thousands(int64(v + 0.5))
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
