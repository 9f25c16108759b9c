package vonage

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"e2eecall/server/site"
)

const (
	testKey    = "12345678"
	testSecret = "0123456789abcdef0123456789abcdef01234567"
)

// fakeVonage is the Vonage Video REST API as far as session creation goes. It
// checks every request the way Vonage does and records what it saw.
type fakeVonage struct {
	t        *testing.T
	verify   func(token string) (jwt.MapClaims, error)
	authHdr  string
	answer   func(n int) (int, string) // per request number: status and body
	requests atomic.Int32
	mu       sync.Mutex
	jtis     map[string]bool
	delay    time.Duration
}

func (f *fakeVonage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := int(f.requests.Add(1))
	t := f.t
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "/session/create", r.URL.Path)
	assert.Equal(t, "application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
	assert.Equal(t, "application/json", r.Header.Get("Accept"))
	assert.Contains(t, r.Header.Get("User-Agent"), "e2eecall")
	require.NoError(t, r.ParseForm())
	assert.Equal(t, "true", r.PostForm.Get("e2ee"))
	assert.Equal(t, "disabled", r.PostForm.Get("p2p.preference"))
	assert.Equal(t, "manual", r.PostForm.Get("archiveMode"))
	assert.Len(t, r.PostForm, 3, "no other form fields")

	token := strings.TrimPrefix(r.Header.Get(f.authHdr), "Bearer ")
	claims, err := f.verify(token)
	if !assert.NoError(t, err, "the request JWT verifies") {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	iat, _ := claims.GetIssuedAt()
	exp, _ := claims.GetExpirationTime()
	assert.WithinDuration(t, time.Now(), iat.Time, 5*time.Second)
	assert.True(t, exp.Sub(iat.Time) > 0 && exp.Sub(iat.Time) <= 5*time.Minute, "exp is a few minutes ahead")
	jti, _ := claims["jti"].(string)
	assert.NotEmpty(t, jti)
	f.mu.Lock()
	assert.False(t, f.jtis[jti], "each request has its own jti")
	f.jtis[jti] = true
	f.mu.Unlock()

	if f.delay > 0 {
		time.Sleep(f.delay)
	}
	status, body := f.answer(n)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func ok(id string) func(int) (int, string) {
	return func(int) (int, string) {
		return 200, `[{"session_id":"` + id + `","project_id":"12345678","create_dt":"Mon Nov 24 10:00:00 PST 2026","media_server_url":""}]`
	}
}

func projectFake(t *testing.T, answer func(int) (int, string)) *fakeVonage {
	return &fakeVonage{t: t, authHdr: "X-OPENTOK-AUTH", answer: answer, jtis: map[string]bool{},
		verify: func(token string) (jwt.MapClaims, error) {
			claims := jwt.MapClaims{}
			_, err := jwt.ParseWithClaims(token, claims, func(*jwt.Token) (any, error) { return []byte(testSecret), nil },
				jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer(testKey), jwt.WithExpirationRequired())
			if err == nil && claims["ist"] != "project" {
				t.Errorf("ist = %v, want project", claims["ist"])
			}
			return claims, err
		}}
}

func newProjectBackend(t *testing.T, url string, logs io.Writer) *Backend {
	t.Helper()
	b, err := New(Config{APIKey: testKey, APISecret: testSecret, BaseURL: url, TokenTTL: time.Hour,
		StorePath: filepath.Join(t.TempDir(), "sessions.db"), Logger: slog.New(slog.NewTextHandler(logs, nil)),
		HTTPClient: &http.Client{Timeout: 500 * time.Millisecond}})
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	return b
}

func TestProjectKeyCreatesAnE2EESessionAndSignsTokens(t *testing.T) {
	fake := projectFake(t, ok("1_MX4xMjM0NTY3OH5-session"))
	srv := httptest.NewServer(fake)
	defer srv.Close()
	b := newProjectBackend(t, srv.URL, io.Discard)

	s, err := b.Join(context.Background(), "blue-lake", "Ada")
	require.NoError(t, err)
	assert.Equal(t, site.BackendVonage, s.Backend)
	assert.Equal(t, testKey, s.APIKey)
	assert.Equal(t, "1_MX4xMjM0NTY3OH5-session", s.SessionID)

	claims := jwt.MapClaims{}
	_, err = jwt.ParseWithClaims(s.Token, claims, func(*jwt.Token) (any, error) { return []byte(testSecret), nil }, jwt.WithValidMethods([]string{"HS256"}))
	require.NoError(t, err, "the client token is signed with the project secret")
	assert.Equal(t, "session.connect", claims["scope"])
	assert.Equal(t, s.SessionID, claims["session_id"])
	assert.Equal(t, "publisher", claims["role"])
	assert.Equal(t, "Ada", claims["connection_data"])
	assert.Equal(t, "", claims["initial_layout_class_list"])
	assert.Equal(t, testKey, claims["iss"])
	assert.Equal(t, "project", claims["ist"])
	assert.NotEmpty(t, claims["jti"])
	iat, _ := claims.GetIssuedAt()
	exp, _ := claims.GetExpirationTime()
	assert.Equal(t, time.Hour, exp.Sub(iat.Time))

	again, err := b.Join(context.Background(), "blue-lake", "Grace")
	require.NoError(t, err)
	assert.Equal(t, s.SessionID, again.SessionID, "one session per room")
	assert.EqualValues(t, 1, fake.requests.Load(), "the second join creates nothing")
}

func TestApplicationUsesRS256AndTheVonageHost(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	fake := &fakeVonage{t: t, authHdr: "Authorization", answer: ok("2_app-session"), jtis: map[string]bool{},
		verify: func(token string) (jwt.MapClaims, error) {
			claims := jwt.MapClaims{}
			_, err := jwt.ParseWithClaims(token, claims, func(*jwt.Token) (any, error) { return &key.PublicKey, nil }, jwt.WithValidMethods([]string{"RS256"}))
			if err == nil {
				assert.Equal(t, "app-id", claims["application_id"])
			}
			return claims, err
		}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	b, err := New(Config{ApplicationID: "app-id", PrivateKey: key, BaseURL: srv.URL, StorePath: filepath.Join(t.TempDir(), "s.db")})
	require.NoError(t, err)
	defer b.Close()

	s, err := b.Join(context.Background(), "room", "Ada")
	require.NoError(t, err)
	assert.Equal(t, "app-id", s.APIKey)
	claims := jwt.MapClaims{}
	_, err = jwt.ParseWithClaims(s.Token, claims, func(*jwt.Token) (any, error) { return &key.PublicKey, nil }, jwt.WithValidMethods([]string{"RS256"}))
	require.NoError(t, err, "the client token is signed with the application's key")
	assert.Equal(t, "app-id", claims["application_id"])
	assert.Equal(t, "video", claims["sub"])
	assert.Equal(t, map[string]any{"paths": map[string]any{"/session/**": map[string]any{}}}, claims["acl"])
	assert.Equal(t, "session.connect", claims["scope"])
	assert.Equal(t, s.SessionID, claims["session_id"])
	assert.Equal(t, "publisher", claims["role"])
	assert.Equal(t, "Ada", claims["connection_data"])
	assert.Equal(t, "", claims["initial_layout_class_list"])
	assert.NotEmpty(t, claims["jti"])
	iat, _ := claims.GetIssuedAt()
	exp, _ := claims.GetExpirationTime()
	assert.Equal(t, time.Hour, exp.Sub(iat.Time), "the default lifetime")
}

func TestErrorsAndRetries(t *testing.T) {
	tests := []struct {
		name     string
		answer   func(int) (int, string)
		delay    time.Duration
		status   int
		message  string
		requests int32
	}{
		{"403", func(int) (int, string) { return 403, `{"code":-1,"message":"No suitable authentication found"}` }, 0, 502, "refused the server's credentials", 1},
		{"400", func(int) (int, string) { return 400, `{"message":"bad location"}` }, 0, 502, "bad location", 1},
		{"500 then success", func(n int) (int, string) {
			if n == 1 {
				return 500, `{}`
			}
			return ok("1_ok")(n)
		}, 0, 0, "", 2},
		{"500 every time", func(int) (int, string) { return 503, `{}` }, 0, 502, "had a problem (503)", maxAttempts},
		{"no session id", func(int) (int, string) { return 200, `[{"project_id":"1"}]` }, 0, 502, "without a session id", 1},
		{"not JSON", func(int) (int, string) { return 200, `<html>` }, 0, 502, "without a session id", 1},
		{"timeout", ok("1_late"), time.Second, 504, "in time", maxAttempts},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := projectFake(t, tt.answer)
			fake.delay = tt.delay
			srv := httptest.NewServer(fake)
			defer srv.Close()
			b := newProjectBackend(t, srv.URL, io.Discard)
			_, err := b.Join(context.Background(), "room", "Ada")
			assert.Equal(t, tt.requests, fake.requests.Load(), "attempts")
			if tt.status == 0 {
				require.NoError(t, err)
				return
			}
			var apiErr *site.Error
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.status, apiErr.Status)
			assert.Contains(t, apiErr.Message, tt.message)
		})
	}
}

func TestConcurrentFirstJoinsCreateOneSessionThatSurvivesARestart(t *testing.T) {
	fake := projectFake(t, ok("1_shared"))
	fake.delay = 50 * time.Millisecond
	srv := httptest.NewServer(fake)
	defer srv.Close()
	store := filepath.Join(t.TempDir(), "nested", "sessions.db")
	cfg := Config{APIKey: testKey, APISecret: testSecret, BaseURL: srv.URL, StorePath: store}
	b, err := New(cfg)
	require.NoError(t, err)

	var wg sync.WaitGroup
	ids := make([]string, 8)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := b.Join(context.Background(), "busy-room", "P")
			assert.NoError(t, err)
			ids[i] = s.SessionID
		}()
	}
	wg.Wait()
	for _, id := range ids {
		assert.Equal(t, "1_shared", id)
	}
	assert.EqualValues(t, 1, fake.requests.Load())
	require.NoError(t, b.Close())

	b, err = New(cfg)
	require.NoError(t, err)
	defer b.Close()
	s, err := b.Join(context.Background(), "busy-room", "Q")
	require.NoError(t, err)
	assert.Equal(t, "1_shared", s.SessionID, "the room keeps its session across a restart")
	assert.EqualValues(t, 1, fake.requests.Load())
}

func TestSecretsNeverLeak(t *testing.T) {
	var logs bytes.Buffer
	fake := projectFake(t, func(n int) (int, string) {
		if n == 1 {
			return 403, `{"message":"nope"}`
		}
		return ok("1_s")(n)
	})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	b := newProjectBackend(t, srv.URL, &logs)
	_, err := b.Join(context.Background(), "r", "Ada")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), testSecret)
	s, err := b.Join(context.Background(), "r", "Ada")
	require.NoError(t, err)
	for _, text := range []string{s.Token, s.SessionID, s.APIKey, logs.String()} {
		assert.NotContains(t, text, testSecret)
	}
	parts := strings.Split(s.Token, ".")
	require.Len(t, parts, 3)
	payload, err := jwt.NewParser().DecodeSegment(parts[1])
	require.NoError(t, err)
	assert.NotContains(t, string(payload), testSecret, "the token's claims do not carry the secret")
}

func TestTheCallersDeadlineStopsTheRetries(t *testing.T) {
	fake := projectFake(t, func(int) (int, string) { return 503, `{}` })
	srv := httptest.NewServer(fake)
	defer srv.Close()
	b := newProjectBackend(t, srv.URL, io.Discard)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond) // shorter than the first backoff
	defer cancel()

	_, err := b.Join(ctx, "room", "Ada")
	var apiErr *site.Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusGatewayTimeout, apiErr.Status)
	assert.EqualValues(t, 1, fake.requests.Load(), "no retry after the caller gave up")
}

func TestAnUnreachableVonageIsRetriedThenABadGateway(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more

	var attempts atomic.Int32
	b, err := New(Config{APIKey: testKey, APISecret: testSecret, BaseURL: url, StorePath: filepath.Join(t.TempDir(), "s.db"),
		HTTPClient: &http.Client{Transport: countingTransport{&attempts, http.DefaultTransport}}})
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })

	_, err = b.Join(context.Background(), "room", "Ada")
	var apiErr *site.Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadGateway, apiErr.Status)
	assert.Contains(t, apiErr.Message, "could not be reached")
	assert.EqualValues(t, maxAttempts, attempts.Load())
}

type countingTransport struct {
	n    *atomic.Int32
	next http.RoundTripper
}

func (c countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

func TestAStoreThatCannotBeOpenedIsAnErrorFromNew(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	tests := map[string]string{
		"its folder is a file": filepath.Join(file, "sessions.db"),
		"it is a folder":       t.TempDir(),
	}
	for name, path := range tests {
		t.Run(name, func(t *testing.T) {
			b, err := New(Config{APIKey: testKey, APISecret: testSecret, StorePath: path})
			if err == nil {
				b.Close()
			}
			require.Error(t, err)
			assert.NotContains(t, err.Error(), testSecret)
		})
	}
}

func TestTheApplicationKeyNeverLeaks(t *testing.T) {
	path, key := writeKey(t, true)
	pemText, err := os.ReadFile(path)
	require.NoError(t, err)
	cfg, _, err := ConfigFromEnv(env{"VONAGE_APPLICATION_ID": "app-id", "VONAGE_PRIVATE_KEY_PATH": path}.get)
	require.NoError(t, err)

	var logs bytes.Buffer
	fake := &fakeVonage{t: t, authHdr: "Authorization", jtis: map[string]bool{},
		answer: func(n int) (int, string) {
			if n == 1 {
				return 403, `{"message":"nope"}`
			}
			return ok("2_s")(n)
		},
		verify: func(token string) (jwt.MapClaims, error) {
			claims := jwt.MapClaims{}
			_, err := jwt.ParseWithClaims(token, claims, func(*jwt.Token) (any, error) { return &key.PublicKey, nil }, jwt.WithValidMethods([]string{"RS256"}))
			return claims, err
		}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	cfg.BaseURL, cfg.StorePath, cfg.Logger = srv.URL, filepath.Join(t.TempDir(), "s.db"), slog.New(slog.NewTextHandler(&logs, nil))
	b, err := New(cfg)
	require.NoError(t, err)
	defer b.Close()

	_, refused := b.Join(context.Background(), "r", "Ada")
	require.Error(t, refused)
	s, err := b.Join(context.Background(), "r", "Ada")
	require.NoError(t, err)
	// A line of the PEM body and the key's private exponent, as text anyone could paste.
	secrets := []string{strings.Split(string(pemText), "\n")[1], key.D.String(), key.D.Text(16)}
	for _, text := range []string{refused.Error(), s.Token, s.SessionID, s.APIKey, logs.String()} {
		for _, secret := range secrets {
			assert.NotContains(t, text, secret)
		}
	}
}

// env is a fake environment for ConfigFromEnv.
type env map[string]string

func (e env) get(k string) string { return e[k] }
