package site

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"e2eecall"
)

func TestSessionsAreLimitedPerAddress(t *testing.T) {
	h := newTestSite(t, &recordingBackend{})
	ask := func(remote string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/api/session", strings.NewReader(`{"room":"r1","name":"Ada"}`))
		req.Header.Set("Content-Type", "application/json")
		req.RemoteAddr = remote
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	for i := range sessionBurst {
		require.Equal(t, http.StatusOK, ask("192.0.2.7:1000").Code, "join %d of the burst", i)
	}
	refused := ask("192.0.2.7:1001")
	assert.Equal(t, http.StatusTooManyRequests, refused.Code)
	assert.NotEmpty(t, refused.Header().Get("Retry-After"))
	var body e2eecall.ErrorBody
	require.NoError(t, json.Unmarshal(refused.Body.Bytes(), &body))
	assert.Contains(t, body.Error, "too many joins")
	assert.Equal(t, http.StatusTooManyRequests, ask("192.0.2.7:2").Code, "still refused from another port")
	assert.Equal(t, http.StatusOK, ask("192.0.2.8:1000").Code, "another address is served meanwhile")
}

func TestPerAddressForgetsWithinItsBound(t *testing.T) {
	l := newPerAddress(20)
	for i := range maxTrackedAddresses + 100 {
		l.allow(fmt.Sprint("addr", i))
	}
	assert.LessOrEqual(t, len(l.limiters), maxTrackedAddresses)
}

func TestSessionErrorsNameNoGoType(t *testing.T) {
	for _, body := range []string{`{"room":5,"name":"Ada"}`, `{"room":"r","name":["x"]}`, `[]`, `{"room":"r","nope":1}`} {
		rec := postJSON(newTestSite(t, &recordingBackend{}), "/api/session", body)
		assert.Equal(t, http.StatusBadRequest, rec.Code)
		assert.NotContains(t, rec.Body.String(), "e2eecall.")
		assert.NotContains(t, rec.Body.String(), "Go ")
	}
	rec := postJSON(newTestSite(t, &recordingBackend{}), "/api/session", `{"room":5,"name":"Ada"}`)
	assert.Contains(t, rec.Body.String(), `\"room\" must be a string, not number`)
}

func TestReportingEndpointIsRelative(t *testing.T) {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Host = "evil.example"
	rec := httptest.NewRecorder()
	newTestSite(t, &recordingBackend{}).ServeHTTP(rec, req)
	assert.Equal(t, `csp="/api/csp-reports"`, rec.Header().Get("Reporting-Endpoints"))
}

// TestASlowBodyIsCutOff sends headers and half a body, then nothing.
func TestASlowBodyIsCutOff(t *testing.T) {
	reached := make(chan error, 1)
	srv := httptest.NewServer(deadlines(200*time.Millisecond, time.Minute)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		reached <- err
	})))
	t.Cleanup(srv.Close)
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"half\":")
	select {
	case err := <-reached:
		assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
	case <-time.After(5 * time.Second):
		t.Fatal("the slow body was still being waited for")
	}
}

// TestASlowReaderIsCutOff asks for a large answer and never reads it.
func TestASlowReaderIsCutOff(t *testing.T) {
	wrote := make(chan error, 1)
	srv := httptest.NewServer(deadlines(time.Minute, 200*time.Millisecond)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := make([]byte, 1<<20)
		var err error
		for i := 0; i < 64 && err == nil; i++ { // 64 MB: more than any socket buffer
			_, err = w.Write(chunk)
		}
		wrote <- err
	})))
	t.Cleanup(srv.Close)
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	_, _ = bufio.NewReader(conn).Peek(1) // the answer starts, then the client stops reading
	select {
	case err := <-wrote:
		assert.Error(t, err, "the write gave up")
	case <-time.After(5 * time.Second):
		t.Fatal("the handler was still writing to a client that does not read")
	}
}

// FuzzSessionRequest checks that no body makes the session API fail other
// than with a clear JSON error.
func FuzzSessionRequest(f *testing.F) {
	for _, seed := range []string{`{"room":"r1","name":"Ada"}`, `{"room":5}`, `[]`, `{`, ``, `{"room":"r","name":"` + strings.Repeat("a", 60) + `"}`, "{\"name\":\"\u202e\"}"} {
		f.Add(seed)
	}
	h := newTestSite(f, &recordingBackend{})
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, "/api/session", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.RemoteAddr = fmt.Sprintf("192.0.2.%d:1", len(body)%250) // spread over addresses: this checks parsing, not the rate limit
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
			var s e2eecall.Session
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &s))
			var asked e2eecall.JoinRequest
			require.NoError(t, json.Unmarshal([]byte(body), &asked), "accepted only valid JSON")
			norm, problems := asked.Normalize()
			require.Nil(t, problems, "accepted only valid names and rooms")
			require.Equal(t, "token-for-"+norm.Name, s.Token)
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusTooManyRequests:
			var e e2eecall.ErrorBody
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e))
			require.NotEmpty(t, e.Error)
			require.NotContains(t, e.Error, "e2eecall.")
		default:
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body.String())
		}
	})
}
