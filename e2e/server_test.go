package e2e

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// binary is the server make builds; the tests run it as people do.
// E2EECALL_BINARY names another build, to compare two side by side.
var binary = cmp.Or(os.Getenv("E2EECALL_BINARY"), filepath.Join("..", "bin", "e2eecall"))

// server is a running bin/e2eecall.
type server struct {
	URL string
	cmd *exec.Cmd
	out *lockedBuffer
}

var listening = regexp.MustCompile(`listening on (https?://\S+)`)

// startServer runs the binary with args on a free port and waits until it
// listens. It stops the server when the test ends.
func startServer(t testing.TB, args ...string) *server {
	t.Helper()
	return startServerWithEnv(t, nil, args...)
}

// startServerWithEnv is startServer with extra KEY=VALUE environment
// variables; the server sees no other variables but PATH and HOME.
func startServerWithEnv(t testing.TB, env []string, args ...string) *server {
	t.Helper()
	return startBuild(t, binary, env, args...)
}

// startBuild is startServerWithEnv with the server built at path build.
func startBuild(t testing.TB, build string, env []string, args ...string) *server {
	t.Helper()
	abs, err := filepath.Abs(build)
	require.NoError(t, err)
	_, err = os.Stat(abs)
	require.NoError(t, err, "the server binary is missing: run make build (make test-browser does)")

	cmd := exec.Command(abs, append([]string{"-addr", "127.0.0.1:0"}, args...)...) // a later -addr wins
	cmd.Dir = t.TempDir()                                                          // no .env or store from the checkout leaks in
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = cmd.Stdout
	require.NoError(t, cmd.Start())

	s := &server{cmd: cmd, out: &lockedBuffer{}}
	found := make(chan string, 1)
	go func() {
		scanner := bufio.NewScanner(stdout)
		scanner.Buffer(make([]byte, 64<<10), 1<<20)
		for scanner.Scan() {
			line := scanner.Text()
			s.out.WriteLine(line)
			if m := listening.FindStringSubmatch(line); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	t.Cleanup(func() { s.stop() })

	select {
	case s.URL = <-found:
	case <-time.After(20 * time.Second):
		t.Fatalf("the server did not start listening within 20 s; it said:\n%s", s.Logs())
	}
	return s
}

// stop ends the server the way a person or a service manager does.
func (s *server) stop() {
	if s.cmd.ProcessState != nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
}

// Logs is everything the server has written so far.
func (s *server) Logs() string { return s.out.String() }

// report is what GET /api/csp-reports lists.
type report struct {
	Format             string `json:"format"`
	DocumentURL        string `json:"documentURL"`
	BlockedURL         string `json:"blockedURL"`
	EffectiveDirective string `json:"effectiveDirective"`
	Disposition        string `json:"disposition"`
	SourceFile         string `json:"sourceFile"`
	Sample             string `json:"sample"`
}

// CSPReports lists the violation reports the server has received.
func (s *server) CSPReports(t testing.TB) []report {
	t.Helper()
	res, err := http.Get(s.URL + "/api/csp-reports")
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	var body struct {
		Reports []report `json:"reports"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&body))
	return body.Reports
}

// get fetches a path with optional request headers.
func (s *server) get(t testing.TB, path string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	// The default transport would ask for gzip itself and hide Content-Encoding.
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	res, err := client.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, body
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) WriteLine(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.WriteString(s)
	b.buf.WriteByte('\n')
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *lockedBuffer) Contains(s string) bool { return strings.Contains(b.String(), s) }
