package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"coach/backfill"
	"coach/bot"
	"coach/connect"
	"coach/decode"
	"coach/nudges"
	"coach/signals"
	"coach/slackfake"
)

// The Connect part of the demo. Raj, Lee and Zoe connected their DMs with
// their reports before the month begins; Mia connects hers on the
// Wednesday of week 1, and coach reads back what she wrote before; Sam
// never connects, so coach sees only the channels for him and says so,
// rather than claim what it could not see.
//
// Slack delivers coach the DM events of a manager only once they have
// connected, so the demo delivers none of Sam's DMs, and Mia's before she
// connects sit in the fake Slack's history, where the read back finds them.

// connectsBefore are the managers who connected before the month.
var connectsBefore = []string{"U0RAJ", "U0LEE", "U0ZOE"}

// neverConnects is the manager who never connects.
const neverConnects = "U0SAM"

// miaConnects is when Mia connects: Wednesday of week 1, 08:00 in Berlin.
func miaConnects(start time.Time) time.Time {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		berlin = time.UTC
	}
	d := start.AddDate(0, 0, 2)
	return time.Date(d.Year(), d.Month(), d.Day(), 8, 0, 0, 0, berlin)
}

// connectWorld is Connect in the demo: its endpoint on a local port and
// the read back, both on the simulated clock.
type connectWorld struct {
	server   *connect.Server
	ln       net.Listener
	readBack *backfill.Runner
	at       time.Time // when Mia connects
	done     bool      // she has
	noted    bool      // and her first digest since was shown
	// seeded are, per manager, how many of their messages to reports are
	// in the history the read back finds, by day.
	seeded map[string]map[signals.Day]int
}

// unpaced lets every call through: the fake Slack sets no rate limits.
type unpaced struct{}

func (unpaced) Wait(ctx context.Context, _ string) error { return ctx.Err() }
func (unpaced) Limited(string, time.Duration)            {}

// simSleep is the simulated clock as the read back sees it: its waits
// (after a failed call) take no time.
type simSleep struct{ *clock }

func (simSleep) Sleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }

// setUpConnect builds Connect as coach run does and sets it into bc: the
// endpoint, the read back queued when a manager connects and removed
// when they leave, and the bot told when it is done.
func (w *world) setUpConnect(bc *bot.Config, retentionDays int, log zerolog.Logger) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	public := "http://" + ln.Addr().String()
	w.fake.SetOAuthApp(slackfake.OAuthApp{RedirectURLs: []string{public + connect.CallbackPath}})
	key, err := connect.NewKey()
	if err != nil {
		return err
	}
	raw, err := connect.ParseKey(key)
	if err != nil {
		return err
	}
	srv := func() *bot.Server { return w.srv }
	cs, err := connect.New(connect.Config{
		PublicURL: public, SlackAPIURL: w.fake.APIURL(),
		ClientID: slackfake.DefaultClientID, ClientSecret: slackfake.DefaultClientSecret, Key: raw,
		Store:       w.db,
		IsManager:   func(user string) bool { return srv().MayConnect(user) },
		OnConnected: func(user string) { srv().ManagerConnected(user) },
		Log:         log,
		Now:         w.clock.Now,
	})
	if err != nil {
		return err
	}
	rb := backfill.New(backfill.Config{
		DB:      w.db,
		Decoder: &decode.Decoder{Lexicon: bc.Lexicon},
		Org:     func() *signals.Org { return srv().Org() },
		Token: func(ctx context.Context, m string) (string, error) {
			tok, err := cs.Token(ctx, m)
			return tok.Access, err
		},
		APIURL:        w.fake.APIURL(),
		RetentionDays: retentionDays,
		Clock:         simSleep{w.clock},
		Pacer:         unpaced{},
		Log:           log,
		Done: func(ctx context.Context, m string, p backfill.Progress) error {
			return srv().ReadBackDone(ctx, m, bot.ReadBack{Since: p.Since, Until: p.Until, Conversations: p.Conversations, Messages: p.Messages})
		},
		Failed: func(m string, err error) { srv().UserTokenRefused(m, err) },
	})
	bc.Connect = cs
	bc.Connected = func(m string) {
		tok, err := cs.Token(context.Background(), m)
		if err == nil {
			err = rb.Enqueue(m, tok.Connected, time.Time{})
		}
		if err != nil {
			log.Error().Err(err).Str("user", m).Msg("demo: read back not queued")
		}
	}
	bc.Disconnected = func(m string) { _ = rb.Remove(m) }
	w.conn = &connectWorld{server: cs, ln: ln, readBack: rb, seeded: map[string]map[signals.Day]int{}}
	return nil
}

// runConnect serves the endpoint and runs the read back until ctx ends,
// or until the function it returns stops both and waits for them.
func (w *world) runConnect(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	served, read := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(served)
		_ = w.conn.server.Serve(ctx, w.conn.ln)
	}()
	go func() {
		defer close(read)
		_ = w.conn.readBack.Run(ctx)
	}()
	return func() { cancel(); <-served; <-read }
}

// slackDelivers is what Slack delivers coach of the month's events: the
// DM events of a manager only once they have connected. Mia's DMs before
// she connects go into the fake's history instead, reactions with their
// messages, where the read back finds them; Sam's DMs are never seen.
func (w *world) slackDelivers(events []timed) []timed {
	c := w.conn
	c.at = miaConnects(w.clock.Now())
	type key struct{ channel, ts string }
	kept := events[:0:0]
	var seeded []key
	msgs := map[key]*slackfake.HistoryMessage{}
	loc := w.loc(w.teams[0].manager)
	for _, e := range events {
		ch, _ := e.event["channel"].(string)
		if item, ok := e.event["item"].(map[string]any); ok {
			ch, _ = item["channel"].(string)
		}
		owner := dmOwner(w.teams, ch)
		switch {
		case owner == neverConnects:
			continue
		case owner == "U0MIA" && e.at.Before(c.at):
			if e.event["type"] == "message" {
				ts, _ := e.event["ts"].(string)
				user, _ := e.event["user"].(string)
				text, _ := e.event["text"].(string)
				k := key{ch, ts}
				msgs[k] = &slackfake.HistoryMessage{TS: ts, User: user, Text: text}
				seeded = append(seeded, k)
				if user == "U0MIA" {
					day := signals.DayOf(e.at, loc)
					if c.seeded["U0MIA"] == nil {
						c.seeded["U0MIA"] = map[signals.Day]int{}
					}
					c.seeded["U0MIA"][day]++
				}
				continue
			}
			item, _ := e.event["item"].(map[string]any)
			ts, _ := item["ts"].(string)
			if m := msgs[key{ch, ts}]; m != nil {
				user, _ := e.event["user"].(string)
				name, _ := e.event["reaction"].(string)
				m.Reactions = append(m.Reactions, slackfake.HistoryReaction{Name: name, Users: []string{user}})
				continue
			}
		}
		kept = append(kept, e)
	}
	for _, k := range seeded {
		w.fake.SeedHistory(k.channel, *msgs[k])
	}
	return kept
}

// dmOwner is the manager whose DM with a report channel is, "" for
// anything else.
func dmOwner(teams []team, channel string) string {
	for _, t := range teams {
		for _, r := range t.reports {
			if dmID(t.manager.id, r.id) == channel {
				return t.manager.id
			}
		}
	}
	return ""
}

// connectEarly connects Raj, Lee and Zoe before the month, without a word
// in the transcript: each asks, allows, and their (empty) read back runs.
func (w *world) connectEarly(ctx context.Context) error {
	for _, m := range connectsBefore {
		if _, _, err := w.connectManager(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// connectStory is Mia connecting, at her hour: the transcript shows the
// link she gets, the consent page she allows, coach's page, and the DMs
// coach sends her once connected and once her DMs are read back.
func (w *world) connectStory(ctx context.Context, now time.Time) error {
	c := w.conn
	if c.done || now.Before(c.at) {
		return nil
	}
	c.done = true
	w.clock.Set(c.at)
	m := w.teams[0].manager
	before := len(w.fake.Messages(m.id))
	link, pages, err := w.connectManager(ctx, m.id)
	if err != nil {
		return err
	}
	w.out.printf("\n▸ %s, %s %s: she types `/coach connect`; only she sees the answer:\n", m.name, c.at.In(w.loc(m)).Format("Mon 2 Jan 15:04"), m.tz)
	w.out.quote(strings.Join(link, "\n"))
	w.out.printf("  She opens the link. coach's endpoint sends her browser to Slack, which asks her:\n")
	w.out.quote(strings.Join(pages[0], "\n"))
	w.out.printf("  She clicks Allow, and Slack sends her back to coach:\n")
	w.out.quote(strings.Join(pages[1], "\n"))
	for _, msg := range w.fake.Messages(m.id)[before:] {
		switch {
		case strings.Contains(msg.Text, "You're connected"):
			w.out.printf("  coach DMs her:\n")
			w.out.quote(msg.Text)
		case strings.Contains(msg.Text, "coach has read back your DMs"):
			w.out.printf("  In the background coach reads back her DMs with her team from before she connected, with\n  the access she just gave it, and DMs her when it is done:\n")
			w.out.quote(msg.Text)
		}
	}
	return nil
}

// connectManager connects manager's DMs as they would: /coach connect,
// the link in a browser, Allow on Slack's page. It waits for the welcome
// and for the read back to be done, and returns the answer to /coach
// connect and the two pages, as lines.
func (w *world) connectManager(ctx context.Context, manager string) (answer []string, pages [2][]string, err error) {
	welcomed := func() int {
		n := 0
		for _, m := range w.fake.Messages(manager) {
			if strings.Contains(m.Text, "You're connected") {
				n++
			}
		}
		return n
	}
	before := welcomed()
	text, blocks, err := w.slashBlocks(ctx, manager, "connect")
	if err != nil {
		return nil, pages, err
	}
	link := connectLink(blocks)
	if link == "" {
		return nil, pages, fmt.Errorf("demo: /coach connect of %s gave no link: %s", manager, text)
	}
	answer = blockTexts(blocks)
	for i, l := range answer {
		if l == "[Connect my DMs]" {
			u, _ := url.Parse(link)
			answer[i] += " → " + u.Scheme + "://…" + u.Path + "?state=… (coach's endpoint; the state is signed, hers alone, good once)"
		}
	}
	w.fake.SignIn(manager)
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(link)
	if err != nil {
		return nil, pages, err
	}
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, pages, err
	}
	pages[0] = pageLines(string(page), w)
	form := url.Values{"decision": {"allow"}}
	for _, m := range hiddenInput.FindAllStringSubmatch(string(page), -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	resp, err = client.PostForm(w.fake.AuthorizeURL(), form)
	if err != nil {
		return nil, pages, err
	}
	page, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, pages, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, pages, fmt.Errorf("demo: connecting %s ended with %d: %s", manager, resp.StatusCode, page)
	}
	pages[1] = pageLines(string(page), w)
	// The welcome, then the read back: both in the background. Settle
	// waits for the welcome's work only once it has begun.
	deadline := time.Now().Add(20 * time.Second)
	for {
		job, found, err := w.db.Backfill(manager)
		if err != nil {
			return nil, pages, err
		}
		if found && job.Announced && welcomed() > before {
			break
		}
		if time.Now().After(deadline) {
			return nil, pages, fmt.Errorf("demo: the read back of %s's DMs did not finish", manager)
		}
		time.Sleep(2 * time.Millisecond)
	}
	w.srv.Settle()
	return answer, pages, nil
}

var (
	hiddenInput = regexp.MustCompile(`<input type="hidden" name="(\w+)" value="([^"]*)">`)
	pageElement = regexp.MustCompile(`(?s)<(h1|p|li|button)[^>]*>(.*?)</(?:h1|p|li|button)>`)
	innerTag    = regexp.MustCompile(`<[^>]+>`)
)

// pageLines is the text of a page as a person reads it: headings,
// paragraphs, list items, buttons. People are shown by name.
func pageLines(page string, w *world) []string {
	var out []string
	for _, m := range pageElement.FindAllStringSubmatch(page, -1) {
		text := html.UnescapeString(innerTag.ReplaceAllString(m[2], ""))
		for _, p := range people(w.teams) {
			text = strings.ReplaceAll(text, p.id, p.name)
		}
		switch m[1] {
		case "h1":
			text = "*" + text + "*"
		case "li":
			text = "• " + text
		case "button":
			text = "[" + text + "]"
		}
		out = append(out, text)
	}
	// The buttons side by side, as on the page.
	if n := len(out); n >= 2 && strings.HasPrefix(out[n-1], "[") && strings.HasPrefix(out[n-2], "[") {
		out = append(out[:n-2], out[n-2]+" "+out[n-1])
	}
	return out
}

// connectLink is the Connect my DMs link in an answer's blocks.
func connectLink(blocks json.RawMessage) string {
	var bs []struct {
		Elements []struct {
			ActionID string `json:"action_id"`
			URL      string `json:"url"`
		} `json:"elements"`
	}
	if json.Unmarshal(blocks, &bs) != nil {
		return ""
	}
	for _, b := range bs {
		for _, e := range b.Elements {
			if e.ActionID == bot.ConnectOpenAction && e.URL != "" {
				return e.URL
			}
		}
	}
	return ""
}

// slashBlocks is slash, with the answer's blocks.
func (w *world) slashBlocks(ctx context.Context, user, text string) (string, json.RawMessage, error) {
	id := w.fake.SendSlashCommand(slackfake.SlashCommand{Command: "/coach", Text: text, UserID: user, ChannelID: "D" + user[2:]})
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := w.fake.WaitAcked(wctx, id); err != nil {
		return "", nil, fmt.Errorf("demo: /coach %s: %w", text, err)
	}
	for _, a := range w.fake.Acks() {
		if a.EnvelopeID == id {
			var p struct {
				Text   string          `json:"text"`
				Blocks json.RawMessage `json:"blocks"`
			}
			if err := json.Unmarshal(a.Payload, &p); err != nil {
				return "", nil, err
			}
			return p.Text, p.Blocks, nil
		}
	}
	return "", nil, fmt.Errorf("demo: /coach %s: no answer", text)
}

// readBackNote says, under the first digest of the manager who connects
// during the month, that it already counts the messages coach read back.
func (w *world) readBackNote(manager string, d nudges.Digest) {
	c := w.conn
	if !c.done || c.noted || c.seeded[manager] == nil {
		return
	}
	c.noted = true
	n := w.readBackShare(manager, d.Slot)
	total := 0
	for _, nd := range d.Nudges {
		if nd.Kind == signals.AfterHours {
			total = nd.Facts.Total
		}
	}
	if n == 0 || total == 0 {
		return
	}
	w.out.printf("  %d of those %d messages are from before Mia connected on Wednesday: coach read them back from\n  her DMs, so her first digest already counts her whole week.\n", n, total)
}

// readBackShare is how many messages to reports manager sent, in the 7
// days before the day of slot, that coach read back rather than saw live.
func (w *world) readBackShare(manager string, slot time.Time) int {
	days := w.conn.seeded[manager]
	today := signals.DayOf(slot, w.srv.Org().Loc(manager))
	n := 0
	for d := today - 7; d < today; d++ {
		n += days[d]
	}
	return n
}
