package connect_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath finds Debian's chromium. The browser test does not skip
// without it: .ci/run installs it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "/usr/bin/chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("chromium not found: the Connect browser test needs it. Install it with " +
		"`apt-get update && apt-get install -y chromium` (bash .ci/run does this when it is missing)")
	return ""
}

// newBrowser starts a headless Chromium with a fresh profile and returns
// a context for driving one tab.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1000, 700),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	tab, cancelTab := chromedp.NewContext(alloc, chromedp.WithLogf(t.Logf))
	t.Cleanup(cancelTab)
	return tab
}

// screenshots keeps the pages a test saw; on failure it copies them to a
// directory that outlives the test and says where.
type screenshots struct {
	t   *testing.T
	dir string
}

func newScreenshots(t *testing.T) *screenshots {
	s := &screenshots{t: t, dir: t.ArtifactDir()}
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		keep, err := os.MkdirTemp("", "coach-connect-browser-")
		if err != nil {
			t.Logf("screenshots in %s (removed after the test): %v", s.dir, err)
			return
		}
		files, _ := filepath.Glob(filepath.Join(s.dir, "*.png"))
		for _, f := range files {
			if b, err := os.ReadFile(f); err == nil {
				_ = os.WriteFile(filepath.Join(keep, filepath.Base(f)), b, 0o644)
			}
		}
		t.Logf("screenshots of the pages: %s (%d files)", keep, len(files))
	})
	return s
}

// take captures the tab as name.png; a failure to capture is logged, not fatal.
func (s *screenshots) take(tab context.Context, name string) {
	png, err := chromedp.Run(tab, chromedp.FullScreenshot(100)) // quality 100: PNG
	if err == nil {
		err = os.WriteFile(filepath.Join(s.dir, name+".png"), png, 0o644)
	}
	if err != nil {
		s.t.Logf("screenshot %s: %v", name, err)
	}
}

// TestConnectInARealBrowser drives headless Chromium through Connect: the
// link coach gives, the fake Slack's consent page, Allow, coach's callback.
func TestConnectInARealBrowser(t *testing.T) {
	e := newEnv(t, envOptions{})
	tab := newBrowser(t)
	shots := newScreenshots(t)
	link := e.link("UMIA")

	text := func() string {
		s, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS("body")))
		if err != nil {
			t.Logf("read the page: %v", err)
		}
		return s
	}
	location := func() string {
		s, _ := chromedp.Run(tab, chromedp.Location())
		return s
	}

	if err := chromedp.Do(tab, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("allow"))); err != nil {
		shots.take(tab, "1-slack-consent")
		t.Fatalf("open the link and wait for Allow: %v (at %s: %q)", err, location(), text())
	}
	consentURL, consentText := location(), text()
	shots.take(tab, "1-slack-consent")
	if !strings.HasPrefix(consentURL, e.fake.AuthorizeURL()+"?") {
		t.Errorf("the link led to %s, want the fake Slack's authorize page", consentURL)
	}
	for _, want := range []string{"coach is requesting permission", "im:history", "mpim:history", "im:read", "mpim:read", "UMIA"} {
		if !strings.Contains(consentText, want) {
			t.Errorf("consent page lacks %q: %q", want, consentText)
		}
	}

	if err := chromedp.Do(tab, chromedp.Click(chromedp.ID("allow")), chromedp.WaitVisible(chromedp.Search(`//h1[text()="Connected"]`))); err != nil {
		shots.take(tab, "2-coach-connected")
		t.Fatalf("click Allow and wait for Connected: %v (at %s: %q)", err, location(), text())
	}
	doneURL, doneText := location(), text()
	doneTitle, _ := chromedp.Run(tab, chromedp.Title())
	shots.take(tab, "2-coach-connected")
	if !strings.HasPrefix(doneURL, e.public+"/connect/callback?") {
		t.Errorf("Allow led to %s, want coach's callback", doneURL)
	}
	if doneTitle != "coach: Connected" || !strings.Contains(doneText, "Connected. You can close this tab.") {
		t.Errorf("callback page: title %q, text %q; want Connected", doneTitle, doneText)
	}

	// The page's one inline style is allowed by its CSP hash: had the hash
	// been wrong, Chromium would have dropped the style.
	if w, err := chromedp.Run(tab, chromedp.Evaluate[string](`getComputedStyle(document.body).maxWidth`)); err != nil || w == "none" {
		t.Errorf("the callback page's style did not apply (max-width %q, %v): the CSP blocks it", w, err)
	}

	tok := e.openStored("UMIA")
	fakeTok, ok := e.fake.UserToken("UMIA")
	if !ok || tok.Access != fakeTok {
		t.Errorf("the stored token does not open to the fake's token for UMIA (fake has one: %v)", ok)
	}
	if bytes.Contains(e.dbBytes(), []byte("xoxp-")) {
		t.Error("the database file holds an xoxp- token in clear")
	}
	if got := e.onConnected(); len(got) != 1 || got[0] != "UMIA" {
		t.Errorf("OnConnected calls = %v, want [UMIA]", got)
	}
	assertNoSecretsLogged(t, e, fakeTok, doneURL)
}
