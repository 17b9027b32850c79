package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"coach/store"
)

// The whole of Connect in a real browser, through coach run: headless
// Chromium opens the link UM1 gets from /coach connect, clicks Allow on
// the fake Slack's consent page and lands on coach's callback page reading
// "Connected". From then on DM events of UM1 are counted, while those of
// UM2, who never connected, are not. Screenshots of both pages are kept
// when the test fails.
func TestConnectInARealBrowserThroughRun(t *testing.T) {
	r := startConnectRun(t)
	tab, closeBrowser := newBrowserTab(t)
	shots := keepScreenshots(t)
	_, blocks := r.slash("UM1", "connect")
	link := r.linkIn(blocks)
	r.fake.SignIn("UM1")

	page := func() (url, text string) {
		url, _ = chromedp.Run(tab, chromedp.Location())
		text, _ = chromedp.Run(tab, chromedp.Text(chromedp.CSS("body")))
		return url, text
	}
	if err := chromedp.Do(tab, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("allow"))); err != nil {
		shots.take(tab, "1-slack-consent")
		url, text := page()
		t.Fatalf("open the link and wait for Allow: %v (at %s: %q)", err, url, text)
	}
	shots.take(tab, "1-slack-consent")
	if url, text := page(); !strings.HasPrefix(url, r.fake.AuthorizeURL()+"?") || !strings.Contains(text, "im:history") {
		t.Errorf("the link led to %s (%q), want the fake Slack's consent page", url, text)
	}
	if err := chromedp.Do(tab, chromedp.Click(chromedp.ID("allow")), chromedp.WaitVisible(chromedp.Search(`//h1[text()="Connected"]`))); err != nil {
		shots.take(tab, "2-coach-connected")
		url, text := page()
		t.Fatalf("click Allow and wait for Connected: %v (at %s: %q)", err, url, text)
	}
	shots.take(tab, "2-coach-connected")
	if url, text := page(); !strings.HasPrefix(url, r.public+"/connect/callback?") || !strings.Contains(text, "Connected. You can close this tab.") {
		t.Errorf("Allow led to %s (%q), want coach's Connected page", url, text)
	}
	r.waitDM("UM1", "You're connected")
	closeBrowser() // its open connection would hold up the endpoint's shutdown

	// DM events after the page: UM1's count, UM2's do not.
	r.fake.AddDM("DUM1UR1", "UM1", "UR1")
	r.fake.AddDM("DUM2UR4", "UM2", "UR4")
	at := time.Now()
	ids := []string{
		sendUserEvent(r.fake, "UM1", "EvBrowser1", map[string]any{"type": "message", "channel": "DUM1UR1", "channel_type": "im", "user": "UM1", "text": "could you check the draft?", "ts": slackTS(at, 11)}),
		sendUserEvent(r.fake, "UM1", "EvBrowser2", map[string]any{"type": "message", "channel": "DUM1UR1", "channel_type": "im", "user": "UR1", "text": "sure", "ts": slackTS(at, 12)}),
		r.fake.SendEvent(map[string]any{"type": "message", "channel": "DUM2UR4", "channel_type": "im", "user": "UM2", "text": "could you check the draft?", "ts": slackTS(at, 13)}),
		sendUserEvent(r.fake, "UM2", "EvBrowser4", map[string]any{"type": "message", "channel": "DUM2UR4", "channel_type": "im", "user": "UR4", "text": "sure", "ts": slackTS(at, 14)}),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := r.fake.WaitAcked(ctx, ids...); err != nil {
		t.Fatal(err)
	}
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(r.dbPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got1, got2 := stored(t, db, "UM1"), stored(t, db, "UM2")
	if got1.directed != 1 || got1.questions != 1 || got1.report("UR1").own != 1 {
		t.Errorf("UM1's DMs after connecting: %d directed (%d questions), UR1 wrote %d; want 1 (1) and 1", got1.directed, got1.questions, got1.report("UR1").own)
	}
	if got2.directed != 0 || got2.report("UR4").own != 0 {
		t.Errorf("UM2 never connected, yet %d of his DMs and %d of UR4's were counted", got2.directed, got2.report("UR4").own)
	}
}

// newBrowserTab starts headless Chromium (Debian's chromium; .ci/run
// installs it) with a fresh profile and returns a tab to drive. The test
// fails without it rather than skipping. close ends the browser.
func newBrowserTab(t *testing.T) (tab context.Context, close func()) {
	t.Helper()
	var path string
	for _, name := range []string{"chromium", "/usr/bin/chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		t.Fatal("chromium not found: install it with `apt-get update && apt-get install -y chromium` (bash .ci/run does this when it is missing)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true), chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1000, 700),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	tab, cancelTab := chromedp.NewContext(alloc, chromedp.WithLogf(t.Logf))
	t.Cleanup(cancelTab)
	return tab, func() { cancelTab(); cancelAlloc() }
}

// screenshotDir keeps the pages a test saw; when the test fails they are
// copied to a directory that outlives it, and the test says where.
type screenshotDir struct {
	t   *testing.T
	dir string
}

func keepScreenshots(t *testing.T) *screenshotDir {
	s := &screenshotDir{t: t, dir: t.ArtifactDir()}
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		keep, err := os.MkdirTemp("", "coach-browser-")
		if err != nil {
			t.Logf("screenshots in %s: %v", s.dir, err)
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

// take captures the tab as name.png; a failure to capture is logged.
func (s *screenshotDir) take(tab context.Context, name string) {
	png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
	if err == nil {
		err = os.WriteFile(filepath.Join(s.dir, name+".png"), png, 0o644)
	}
	if err != nil {
		s.t.Logf("screenshot %s: %v", name, err)
	}
}
