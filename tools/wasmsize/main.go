// Command wasmsize says what makes a Go wasm binary big: the bytes of code per
// Go package, from the function names in an unstripped build's name section,
// and the bytes of data.
//
//	GOOS=js GOARCH=wasm go build -trimpath -o /tmp/app.wasm ./app
//	go run ./tools/wasmsize /tmp/app.wasm
//
// (go tool nm does not read wasm files.)
package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
)

func main() {
	top := flag.Int("top", 40, "how many packages to list")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: wasmsize [-top n] app.wasm")
		os.Exit(2)
	}
	b, err := os.ReadFile(flag.Arg(0))
	if err == nil {
		err = report(b, *top)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "wasmsize:", err)
		os.Exit(1)
	}
}

// module is what report needs from a wasm file.
type module struct {
	imported int            // imported functions come first in the function index space
	bodies   []int          // code bytes of each defined function
	names    map[int]string // function index → name, from the "name" section
	sections map[string]int // section → bytes
	hasNames bool
}

func report(b []byte, top int) error {
	m, err := parse(b)
	if err != nil {
		return err
	}
	if !m.hasNames {
		return errors.New("no name section: build without -ldflags=-s -w")
	}
	byPkg := m.codeByPackage()
	pkgs := make([]string, 0, len(byPkg))
	for p := range byPkg {
		pkgs = append(pkgs, p)
	}
	slices.SortFunc(pkgs, func(a, b string) int { return byPkg[b] - byPkg[a] })
	fmt.Printf("%d bytes in all\n\nsections:\n", len(b))
	secs := make([]string, 0, len(m.sections))
	for s := range m.sections {
		secs = append(secs, s)
	}
	slices.SortFunc(secs, func(a, b string) int { return m.sections[b] - m.sections[a] })
	for _, s := range secs {
		fmt.Printf("%12d  %s\n", m.sections[s], s)
	}
	fmt.Printf("\ncode by package (top %d of %d):\n", min(top, len(pkgs)), len(pkgs))
	for _, p := range pkgs[:min(top, len(pkgs))] {
		fmt.Printf("%12d  %s\n", byPkg[p], p)
	}
	groups := map[string]int{}
	for p, n := range byPkg {
		groups[group(p)] += n
	}
	fmt.Println("\ncode by group:")
	gs := make([]string, 0, len(groups))
	for g := range groups {
		gs = append(gs, g)
	}
	slices.SortFunc(gs, func(a, b string) int { return groups[b] - groups[a] })
	for _, g := range gs {
		fmt.Printf("%12d  %s\n", groups[g], g)
	}
	return nil
}

// codeByPackage is the bytes of code of each package's functions.
func (m *module) codeByPackage() map[string]int {
	byPkg := map[string]int{}
	for i, n := range m.bodies {
		byPkg[pkgOf(m.names[m.imported+i])] += n
	}
	return byPkg
}

// pkgOf is the package of a function name in the name section, where the
// linker writes "/" as "_": "net_http.__Client_.Do" is net/http's.
func pkgOf(name string) string {
	if name == "" {
		return "(unnamed)"
	}
	rest := name
	for _, host := range []string{"vendor_golang.org_", "golang.org_", "github.com_", "go.etcd.io_", "google.golang.org_", "gopkg.in_"} {
		if strings.HasPrefix(name, host) {
			rest = name[len(host):]
			break
		}
	}
	if dot := strings.Index(rest, "."); dot >= 0 {
		return name[:len(name)-len(rest)+dot]
	}
	return name
}

// group folds packages into the families worth cutting.
func group(pkg string) string {
	for _, prefix := range []string{"crypto_", "net_http", "net", "vendor_", "encoding_", "compress_", "regexp", "runtime", "internal_", "reflect", "github.com_maxence_charriere_go_app", "github.com_hack_pad_safejs", "github.com_google_uuid", "e2eecall"} {
		if strings.HasPrefix(pkg, prefix) || pkg == strings.TrimSuffix(prefix, "/") {
			return strings.TrimSuffix(prefix, "_") + "…"
		}
	}
	return "other standard library and modules"
}

func parse(b []byte) (*module, error) {
	if !bytes.HasPrefix(b, []byte("\x00asm")) || len(b) < 8 {
		return nil, errors.New("not a wasm file")
	}
	m := &module{names: map[int]string{}, sections: map[string]int{}}
	r := reader{b: b, off: 8}
	kinds := []string{"custom", "type", "import", "function", "table", "memory", "global", "export", "start", "element", "code", "data", "data count"}
	for r.off < len(b) {
		id := r.byte()
		size := r.uleb()
		sec := reader{b: r.bytes(size)}
		if r.err != nil {
			return nil, r.err
		}
		kind := fmt.Sprint("section ", id)
		if int(id) < len(kinds) {
			kind = kinds[id]
		}
		switch id {
		case 0:
			name := string(sec.bytes(sec.uleb()))
			kind = "custom " + name
			if name == "name" {
				m.hasNames = true
				readNames(&sec, m.names)
			}
		case 2:
			for n := sec.uleb(); n > 0 && sec.err == nil; n-- {
				sec.bytes(sec.uleb())
				sec.bytes(sec.uleb())
				switch sec.byte() {
				case 0:
					sec.uleb()
					m.imported++
				case 1:
					sec.byte()
					limits(&sec)
				case 2:
					limits(&sec)
				case 3:
					sec.byte()
					sec.byte()
				}
			}
		case 10:
			for n := sec.uleb(); n > 0 && sec.err == nil; n-- {
				size := sec.uleb()
				sec.bytes(size)
				m.bodies = append(m.bodies, size)
			}
		}
		if sec.err != nil {
			return nil, fmt.Errorf("%s section: %w", kind, sec.err)
		}
		m.sections[kind] += size
	}
	return m, nil
}

func readNames(r *reader, names map[int]string) {
	for r.off < len(r.b) && r.err == nil {
		sub := r.byte()
		body := reader{b: r.bytes(r.uleb())}
		if sub != 1 {
			continue
		}
		for n := body.uleb(); n > 0 && body.err == nil; n-- {
			idx := body.uleb()
			names[idx] = string(body.bytes(body.uleb()))
		}
	}
}

func limits(r *reader) {
	if r.byte()&1 == 1 {
		r.uleb()
	}
	r.uleb()
}

type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) byte() byte {
	if r.err != nil || r.off >= len(r.b) {
		r.err = errors.New("truncated")
		return 0
	}
	r.off++
	return r.b[r.off-1]
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil || n < 0 || r.off+n > len(r.b) {
		r.err = errors.New("truncated")
		return nil
	}
	r.off += n
	return r.b[r.off-n : r.off]
}

func (r *reader) uleb() int {
	v, n := binary.Uvarint(r.b[min(r.off, len(r.b)):])
	if n <= 0 {
		r.err = errors.New("bad integer")
		return 0
	}
	r.off += n
	return int(v)
}
