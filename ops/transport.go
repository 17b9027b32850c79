package ops

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Transport wraps an HTTP transport to count failed Slack Web API calls by
// method and error code. It reads only the response's "ok" and "error"
// fields; nothing of the request or the rest of the response is kept.
type Transport struct {
	Base    http.RoundTripper
	Metrics *Metrics
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	method := req.URL.Path[strings.LastIndex(req.URL.Path, "/")+1:]
	resp, err := base.RoundTrip(req)
	if err != nil {
		t.Metrics.APIError(method, "transport")
		return resp, err
	}
	if resp.StatusCode != http.StatusOK {
		code := strconv.Itoa(resp.StatusCode)
		if resp.StatusCode == http.StatusTooManyRequests {
			code = "ratelimited"
		}
		t.Metrics.APIError(method, code)
		return resp, nil
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || resp.ContentLength > 1<<20 {
		return resp, nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return resp, nil
	}
	var r struct {
		OK    *bool  `json:"ok"`
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &r) == nil && r.OK != nil && !*r.OK {
		code := r.Error
		if len(code) > 64 {
			code = code[:64]
		}
		t.Metrics.APIError(method, code)
	}
	return resp, nil
}
