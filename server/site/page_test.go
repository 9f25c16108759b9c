package site

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSetMetaReplacesTheTagWhateverTheAttributeOrder(t *testing.T) {
	for _, tc := range []struct{ name, page, content, want string }{
		{"property first", `<head><meta property="og:url" content="https://"></head>`, "http://h/", `<head><meta property="og:url" content="http://h/"></head>`},
		{"content first", `<head><meta content="https://" property="og:url"></head>`, "http://h/", `<head><meta property="og:url" content="http://h/"></head>`},
		{"escaped", `<meta property="og:url" content="https://">`, `http://"><script>x</script>/`, `<meta property="og:url" content="http://&#34;&gt;&lt;script&gt;x&lt;/script&gt;/">`},
		{"other tags kept", `<meta property="og:title" content="t"><meta property="og:url" content="https://">`, "u", `<meta property="og:title" content="t"><meta property="og:url" content="u">`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, string(setMeta([]byte(tc.page), "og:url", tc.content)))
		})
	}
}

func TestThePageIsRenderedOnEveryVisit(t *testing.T) {
	site := newTestSite(t, &recordingBackend{})
	first := httptest.NewRecorder()
	site.ServeHTTP(first, httptest.NewRequest(http.MethodGet, "http://example.test/?room=blue-lake", nil))
	require.Equal(t, http.StatusOK, first.Code)
	assert.Empty(t, first.Header().Get("ETag"), "no ETag: a 304 would bring back the last visit's page")
	assert.Contains(t, first.Body.String(), `<meta property="og:url" content="http://example.test/">`)
	assert.Contains(t, first.Body.String(), `<meta property="og:image" content="http://example.test/web/icons/icon-512.png">`)
	assert.Contains(t, first.Body.String(), `value="blue-lake"`, "the invite link's room is in the form")

	// go-app gives every response the same ETag, and answers it with 304.
	js := httptest.NewRecorder()
	site.ServeHTTP(js, httptest.NewRequest(http.MethodGet, "http://example.test/app.js", nil))
	etag := js.Header().Get("ETag")
	require.NotEmpty(t, etag, "go-app's own files keep their ETag")
	again := httptest.NewRequest(http.MethodGet, "http://example.test/?room=blue-lake", nil)
	again.Header.Set("If-None-Match", etag)
	res := httptest.NewRecorder()
	site.ServeHTTP(res, again)
	assert.Equal(t, http.StatusOK, res.Code, "the page is rendered again")
}
