package slackfake

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

func plain(s string) map[string]any  { return map[string]any{"type": "plain_text", "text": s} }
func mrkdwn(s string) map[string]any { return map[string]any{"type": "mrkdwn", "text": s} }

func section(text string) map[string]any {
	return map[string]any{"type": "section", "text": mrkdwn(text)}
}

func button(actionID, label string) map[string]any {
	return map[string]any{"type": "button", "action_id": actionID, "text": plain(label), "value": "v"}
}

func option(text, value string) map[string]any {
	return map[string]any{"text": plain(text), "value": value}
}

func repeat(n int, f func(i int) any) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

func jsonOf(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// goodMessage is a message's blocks that break no rule: every block type coach uses.
func goodMessage() []any {
	return []any{
		map[string]any{"type": "header", "text": plain(strings.Repeat("h", 150))},
		map[string]any{"type": "section", "block_id": "s1", "text": mrkdwn(strings.Repeat("é", 3000)),
			"accessory": button("acc", "Go")},
		map[string]any{"type": "section", "fields": repeat(10, func(int) any { return mrkdwn(strings.Repeat("f", 2000)) })},
		map[string]any{"type": "divider"},
		map[string]any{"type": "context", "elements": repeat(10, func(int) any { return mrkdwn("c") })},
		map[string]any{"type": "actions", "block_id": "a1", "elements": []any{
			map[string]any{"type": "button", "action_id": strings.Repeat("a", 255), "text": plain(strings.Repeat("b", 75)),
				"value": strings.Repeat("v", 2000), "style": "danger",
				"confirm": map[string]any{"title": plain(strings.Repeat("t", 100)), "text": plain(strings.Repeat("x", 300)),
					"confirm": plain(strings.Repeat("y", 30)), "deny": plain(strings.Repeat("n", 30))}},
			button("b", "Other"),
			map[string]any{"type": "static_select", "action_id": "sel", "placeholder": plain("Pick"),
				"options":        []any{map[string]any{"text": plain(strings.Repeat("o", 75)), "value": strings.Repeat("v", 150), "description": plain(strings.Repeat("d", 75))}},
				"initial_option": map[string]any{"text": plain(strings.Repeat("o", 75)), "value": strings.Repeat("v", 150), "description": plain(strings.Repeat("d", 75))}},
		}},
		map[string]any{"type": "actions", "block_id": "a2", "elements": repeat(25, func(i int) any { return button("b"+strings.Repeat("x", i), "B") })},
	}
}

// goodModal is a modal with every part coach's hours form uses, at the limits.
func goodModal() map[string]any {
	days := repeat(10, func(i int) any {
		return map[string]any{"text": mrkdwn("*day*"), "value": "d" + string(rune('a'+i)), "description": mrkdwn(strings.Repeat("d", 75))}
	})
	return map[string]any{
		"type": "modal", "callback_id": "hours_modal",
		"title": plain(strings.Repeat("T", 24)), "submit": plain(strings.Repeat("S", 24)), "close": plain(strings.Repeat("C", 24)),
		"private_metadata": strings.Repeat("p", 3000),
		"blocks": []any{
			section("intro"),
			map[string]any{"type": "input", "block_id": "start", "label": plain(strings.Repeat("l", 2000)), "hint": plain("h"),
				"element": map[string]any{"type": "timepicker", "action_id": "start", "initial_time": "23:59"}},
			map[string]any{"type": "input", "block_id": "days", "label": plain("Days"), "optional": true,
				"element": map[string]any{"type": "checkboxes", "action_id": "days", "options": days, "initial_options": days[:2]}},
		},
	}
}

func TestCheckAcceptsPayloadsAtTheLimits(t *testing.T) {
	if vs := CheckBlocks(SurfaceMessage, jsonOf(t, goodMessage())); len(vs) != 0 {
		t.Errorf("good message: %v", vs)
	}
	msg50 := repeat(50, func(int) any { return map[string]any{"type": "divider"} })
	if vs := CheckBlocks(SurfaceMessage, jsonOf(t, msg50)); len(vs) != 0 {
		t.Errorf("50 blocks in a message: %v", vs)
	}
	if vs := CheckView(jsonOf(t, goodModal())); len(vs) != 0 {
		t.Errorf("good modal: %v", vs)
	}
	home := map[string]any{"type": "home", "blocks": repeat(100, func(int) any { return map[string]any{"type": "divider"} })}
	if vs := CheckView(jsonOf(t, home)); len(vs) != 0 {
		t.Errorf("100 blocks in a Home tab: %v", vs)
	}
}

// Each rule, broken once: the checker names the place and the problem.
func TestCheckFindsEachBrokenRule(t *testing.T) {
	type edit func(msg []any, modal map[string]any) (any, Surface)
	inMessage := func(f func(msg []any) []any) edit {
		return func(msg []any, _ map[string]any) (any, Surface) { return f(msg), SurfaceMessage }
	}
	inModal := func(f func(m map[string]any)) edit {
		return func(_ []any, m map[string]any) (any, Surface) { f(m); return m, SurfaceModal }
	}
	block := func(msg []any, i int) map[string]any { return msg[i].(map[string]any) }
	modalBlock := func(m map[string]any, i int) map[string]any { return m["blocks"].([]any)[i].(map[string]any) }
	elem := func(msg []any, b, e int) map[string]any { return block(msg, b)["elements"].([]any)[e].(map[string]any) }

	tests := []struct {
		name    string
		edit    edit
		pointer string
		problem string
	}{
		{"51 blocks in a message", inMessage(func([]any) []any {
			return repeat(51, func(int) any { return map[string]any{"type": "divider"} })
		}), "", "no more than 50"},
		{"101 blocks in a modal", inModal(func(m map[string]any) {
			m["blocks"] = repeat(101, func(int) any { return map[string]any{"type": "divider"} })
		}), "/blocks", "no more than 100"},
		{"section text over 3000", inMessage(func(msg []any) []any {
			block(msg, 1)["text"] = mrkdwn(strings.Repeat("x", 3001))
			return msg
		}), "/1/text/text", "at most 3000"},
		{"empty section text", inMessage(func(msg []any) []any {
			block(msg, 1)["text"] = mrkdwn("")
			return msg
		}), "/1/text/text", "at least 1"},
		{"section with neither text nor fields", inMessage(func(msg []any) []any {
			msg[1] = map[string]any{"type": "section"}
			return msg
		}), "/1", "text or fields"},
		{"11 fields", inMessage(func(msg []any) []any {
			block(msg, 2)["fields"] = repeat(11, func(int) any { return mrkdwn("f") })
			return msg
		}), "/2/fields", "no more than 10"},
		{"field over 2000", inMessage(func(msg []any) []any {
			block(msg, 2)["fields"].([]any)[3] = mrkdwn(strings.Repeat("f", 2001))
			return msg
		}), "/2/fields/3/text", "at most 2000"},
		{"header over 150", inMessage(func(msg []any) []any {
			block(msg, 0)["text"] = plain(strings.Repeat("h", 151))
			return msg
		}), "/0/text/text", "at most 150"},
		{"mrkdwn header", inMessage(func(msg []any) []any {
			block(msg, 0)["text"] = mrkdwn("h")
			return msg
		}), "/0/text/type", "plain_text"},
		{"11 context elements", inMessage(func(msg []any) []any {
			block(msg, 4)["elements"] = repeat(11, func(int) any { return mrkdwn("c") })
			return msg
		}), "/4/elements", "no more than 10"},
		{"a button in a context block", inMessage(func(msg []any) []any {
			block(msg, 4)["elements"].([]any)[0] = button("x", "X")
			return msg
		}), "/4/elements/0/type", "only text and image"},
		{"26 actions elements", inMessage(func(msg []any) []any {
			block(msg, 6)["elements"] = repeat(26, func(i int) any { return button("b"+strings.Repeat("x", i), "B") })
			return msg
		}), "/6/elements", "no more than 25"},
		{"button text over 75", inMessage(func(msg []any) []any {
			elem(msg, 5, 1)["text"] = plain(strings.Repeat("b", 76))
			return msg
		}), "/5/elements/1/text/text", "at most 75"},
		{"mrkdwn button text", inMessage(func(msg []any) []any {
			elem(msg, 5, 1)["text"] = mrkdwn("*b*")
			return msg
		}), "/5/elements/1/text/type", "plain_text"},
		{"button value over 2000", inMessage(func(msg []any) []any {
			elem(msg, 5, 1)["value"] = strings.Repeat("v", 2001)
			return msg
		}), "/5/elements/1/value", "at most 2000"},
		{"button style", inMessage(func(msg []any) []any {
			elem(msg, 5, 1)["style"] = "loud"
			return msg
		}), "/5/elements/1/style", "primary or danger"},
		{"action_id over 255", inMessage(func(msg []any) []any {
			elem(msg, 5, 1)["action_id"] = strings.Repeat("a", 256)
			return msg
		}), "/5/elements/1/action_id", "at most 255"},
		{"action_id twice in a block", inMessage(func(msg []any) []any {
			elem(msg, 5, 1)["action_id"] = "sel"
			return msg
		}), "/5/elements/2/action_id", "duplicate action_id"},
		{"block_id over 255", inMessage(func(msg []any) []any {
			block(msg, 1)["block_id"] = strings.Repeat("b", 256)
			return msg
		}), "/1/block_id", "at most 255"},
		{"block_id twice in a message", inMessage(func(msg []any) []any {
			block(msg, 6)["block_id"] = "s1"
			return msg
		}), "/6/block_id", "duplicate block_id"},
		{"confirm title over 100", inMessage(func(msg []any) []any {
			elem(msg, 5, 0)["confirm"].(map[string]any)["title"] = plain(strings.Repeat("t", 101))
			return msg
		}), "/5/elements/0/confirm/title/text", "at most 100"},
		{"confirm text over 300", inMessage(func(msg []any) []any {
			elem(msg, 5, 0)["confirm"].(map[string]any)["text"] = plain(strings.Repeat("t", 301))
			return msg
		}), "/5/elements/0/confirm/text/text", "at most 300"},
		{"confirm button over 30", inMessage(func(msg []any) []any {
			elem(msg, 5, 0)["confirm"].(map[string]any)["deny"] = plain(strings.Repeat("n", 31))
			return msg
		}), "/5/elements/0/confirm/deny/text", "at most 30"},
		{"select option text over 75", inMessage(func(msg []any) []any {
			elem(msg, 5, 2)["options"] = []any{option(strings.Repeat("o", 76), "v")}
			delete(elem(msg, 5, 2), "initial_option")
			return msg
		}), "/5/elements/2/options/0/text/text", "at most 75"},
		{"mrkdwn option in a select", inMessage(func(msg []any) []any {
			elem(msg, 5, 2)["options"] = []any{map[string]any{"text": mrkdwn("*o*"), "value": "v"}}
			delete(elem(msg, 5, 2), "initial_option")
			return msg
		}), "/5/elements/2/options/0/text/type", "plain_text"},
		{"option value over 150", inMessage(func(msg []any) []any {
			elem(msg, 5, 2)["options"] = []any{option("o", strings.Repeat("v", 151))}
			delete(elem(msg, 5, 2), "initial_option")
			return msg
		}), "/5/elements/2/options/0/value", "at most 150"},
		{"initial option not among the options", inMessage(func(msg []any) []any {
			elem(msg, 5, 2)["initial_option"] = option("other", "other")
			return msg
		}), "/5/elements/2/initial_option", "match one of the options"},
		{"unknown block type", inMessage(func(msg []any) []any {
			msg[3] = map[string]any{"type": "banner"}
			return msg
		}), "/3/type", "unknown block type"},
		{"emoji on mrkdwn", inMessage(func(msg []any) []any {
			block(msg, 1)["text"] = map[string]any{"type": "mrkdwn", "text": "x", "emoji": true}
			return msg
		}), "/1/text/emoji", "only allowed on plain_text"},
		{"option description over 75", inModal(func(m map[string]any) {
			opts := modalBlock(m, 2)["element"].(map[string]any)["options"].([]any)
			opts[4].(map[string]any)["description"] = plain(strings.Repeat("d", 76))
		}), "/blocks/2/element/options/4/description/text", "at most 75"},
		{"11 checkboxes", inModal(func(m map[string]any) {
			el := modalBlock(m, 2)["element"].(map[string]any)
			el["options"] = repeat(11, func(i int) any { return option("d", "v"+strings.Repeat("x", i)) })
			delete(el, "initial_options")
		}), "/blocks/2/element/options", "no more than 10"},
		{"modal title over 24", inModal(func(m map[string]any) {
			m["title"] = plain(strings.Repeat("T", 25))
		}), "/title/text", "at most 24"},
		{"mrkdwn modal title", inModal(func(m map[string]any) {
			m["title"] = mrkdwn("T")
		}), "/title/type", "plain_text"},
		{"modal submit over 24", inModal(func(m map[string]any) {
			m["submit"] = plain(strings.Repeat("S", 25))
		}), "/submit/text", "at most 24"},
		{"modal close over 24", inModal(func(m map[string]any) {
			m["close"] = plain(strings.Repeat("C", 25))
		}), "/close/text", "at most 24"},
		{"modal with inputs and no submit", inModal(func(m map[string]any) {
			delete(m, "submit")
		}), "/submit", "required"},
		{"private_metadata over 3000", inModal(func(m map[string]any) {
			m["private_metadata"] = strings.Repeat("p", 3001)
		}), "/private_metadata", "at most 3000"},
		{"callback_id over 255", inModal(func(m map[string]any) {
			m["callback_id"] = strings.Repeat("c", 256)
		}), "/callback_id", "at most 255"},
		{"input label over 2000", inModal(func(m map[string]any) {
			modalBlock(m, 1)["label"] = plain(strings.Repeat("l", 2001))
		}), "/blocks/1/label/text", "at most 2000"},
		{"mrkdwn input hint", inModal(func(m map[string]any) {
			modalBlock(m, 1)["hint"] = mrkdwn("h")
		}), "/blocks/1/hint/type", "plain_text"},
		{"a button as an input's element", inModal(func(m map[string]any) {
			modalBlock(m, 1)["element"] = button("x", "X")
		}), "/blocks/1/element/type", "not allowed here"},
		{"time of day out of range", inModal(func(m map[string]any) {
			modalBlock(m, 1)["element"].(map[string]any)["initial_time"] = "24:00"
		}), "/blocks/1/element/initial_time", "HH:mm"},
		{"block_id twice in a view", inModal(func(m map[string]any) {
			modalBlock(m, 2)["block_id"] = "start"
		}), "/blocks/2/block_id", "duplicate block_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			payload, surface := tt.edit(goodMessage(), goodModal())
			var vs []Violation
			if surface == SurfaceMessage {
				vs = CheckBlocks(surface, jsonOf(t, payload))
			} else {
				vs = CheckView(jsonOf(t, payload))
			}
			if len(vs) != 1 || vs[0].Pointer != tt.pointer || !strings.Contains(vs[0].Problem, tt.problem) {
				t.Errorf("violations = %v, want exactly one at %q saying %q", vs, tt.pointer, tt.problem)
			}
		})
	}
}

func TestViolationNamesNoText(t *testing.T) {
	secret := strings.Repeat("secret ", 500)
	vs := CheckBlocks(SurfaceMessage, jsonOf(t, []any{section(secret)}))
	if len(vs) != 1 {
		t.Fatalf("violations = %v, want one", vs)
	}
	if s := vs[0].String(); strings.Contains(s, "secret") || s != "[ERROR] must be at most 3000 characters (has 3500) [json-pointer:/0/text/text]" {
		t.Errorf("violation reads %q", s)
	}
}

// The fake refuses what Slack refuses, with Slack's error and messages, and records
// every check; what Slack's docs only ask for comes back as a warning.
func TestServerChecksBlockKit(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	api := slack.New("xoxb-fake-bot", slack.OptionAPIURL(s.APIURL()))
	ctx := context.Background()
	long := slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, strings.Repeat("x", 3001), false, false), nil, nil)

	_, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("fallback", false), slack.MsgOptionBlocks(long))
	var se slack.SlackErrorResponse
	if !asSlackError(err, &se) || se.Err != "invalid_blocks" || len(se.ResponseMetadata.Messages) != 1 ||
		!strings.Contains(se.ResponseMetadata.Messages[0], "[json-pointer:/blocks/0/text/text]") {
		t.Errorf("chat.postMessage with 3001 characters: err = %#v, want invalid_blocks naming /blocks/0/text/text", err)
	}
	if len(s.Messages("C1")) != 0 {
		t.Errorf("a refused message was stored")
	}
	if _, err := api.PostEphemeralContext(ctx, "C1", "U1", slack.MsgOptionText("x", false), slack.MsgOptionBlocks(long)); err == nil || err.Error() != "invalid_blocks" {
		t.Errorf("chat.postEphemeral with 3001 characters: err = %v, want invalid_blocks", err)
	}

	// Blocks with no fallback text: accepted, with a warning.
	first := slack.NewActionBlock("pick", slack.NewButtonBlockElement("yes", "1", slack.NewTextBlockObject(slack.PlainTextType, "Yes", false, false)))
	_, ts, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionBlocks(first))
	if err != nil {
		t.Fatalf("chat.postMessage without text: %v", err)
	}
	// Changing the block's content under the same block_id: accepted, with a warning;
	// under a new block_id: clean.
	changed := slack.NewContextBlock("pick", slack.NewTextBlockObject(slack.MarkdownType, "You chose yes", false, false))
	if _, _, _, err := api.UpdateMessageContext(ctx, "C1", ts, slack.MsgOptionText("chosen", false), slack.MsgOptionBlocks(changed)); err != nil {
		t.Fatalf("chat.update: %v", err)
	}
	renamed := slack.NewContextBlock("pick_done", slack.NewTextBlockObject(slack.MarkdownType, "You chose yes", false, false))
	if _, _, _, err := api.UpdateMessageContext(ctx, "C1", ts, slack.MsgOptionText("chosen", false), slack.MsgOptionBlocks(renamed)); err != nil {
		t.Fatalf("chat.update: %v", err)
	}
	// The same content again under the same block_id: clean.
	if _, _, _, err := api.UpdateMessageContext(ctx, "C1", ts, slack.MsgOptionText("chosen", false), slack.MsgOptionBlocks(renamed)); err != nil {
		t.Fatalf("chat.update: %v", err)
	}

	modal := slack.ModalViewRequest{Type: slack.VTModal, Title: slack.NewTextBlockObject(slack.PlainTextType, "A title far too long for a modal", false, false),
		Blocks: slack.Blocks{BlockSet: []slack.Block{long}}}
	if _, err := api.OpenViewContext(ctx, "trigger", modal); err == nil || err.Error() != "invalid_blocks" {
		t.Errorf("views.open with a long title: err = %v, want invalid_blocks", err)
	}
	home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewDividerBlock()}}}
	if _, err := api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U1", View: home}); err != nil {
		t.Errorf("views.publish of a good Home tab: %v", err)
	}

	checks := s.BlockChecks()
	var got []string
	for _, c := range checks {
		got = append(got, c.Method+" "+summary(c))
	}
	want := []string{
		"chat.postMessage violations=1 warnings=",
		"chat.postEphemeral violations=1 warnings=",
		"chat.postMessage violations=0 warnings=/text",
		"chat.update violations=0 warnings=/blocks/0/block_id",
		"chat.update violations=0 warnings=",
		"chat.update violations=0 warnings=",
		"views.open violations=2 warnings=",
		"views.publish violations=0 warnings=",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("checks:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func summary(c BlockCheck) string {
	var ws []string
	for _, w := range c.Warnings {
		ws = append(ws, w.Pointer)
	}
	return "violations=" + strconv.Itoa(len(c.Violations)) + " warnings=" + strings.Join(ws, ",")
}

// A warning reaches the caller as Slack words its own: "warning" and
// response_metadata.warnings, on a successful answer.
func TestWarningInTheAnswer(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	blocks := `[{"type":"section","text":{"type":"mrkdwn","text":"hi"}}]`
	resp, err := http.PostForm(s.APIURL()+"chat.postMessage", url.Values{"token": {"xoxb-fake-bot"}, "channel": {"C1"}, "blocks": {blocks}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		OK       bool   `json:"ok"`
		Warning  string `json:"warning"`
		Metadata struct {
			Warnings []string `json:"warnings"`
		} `json:"response_metadata"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if !body.OK || body.Warning != "missing_text_with_blocks" || len(body.Metadata.Warnings) != 1 {
		t.Errorf("answer = %+v, want ok with the missing_text_with_blocks warning", body)
	}
}

// A slash command's reply in the ack cannot be refused, but it is checked and
// recorded.
func TestAckPayloadIsChecked(t *testing.T) {
	t.Parallel()
	fake, _ := newFake(t, Options{})
	ctx := testContext(t)
	client := runClient(t, fake)
	id := fake.SendSlashCommand(SlashCommand{Command: "/coach", Text: "help", UserID: "U1", ChannelID: "D1"})
	evt := nextEvent(ctx, t, client, socketmode.EventTypeSlashCommand)
	client.Ack(*evt.Request, map[string]any{"response_type": "ephemeral", "blocks": []any{map[string]any{"type": "header", "text": mrkdwn("*no*")}}})
	if err := fake.WaitAcked(ctx, id); err != nil {
		t.Fatal(err)
	}
	checks := fake.BlockChecks()
	if len(checks) != 1 || checks[0].Method != "ack" || len(checks[0].Violations) != 1 || checks[0].Violations[0].Pointer != "/blocks/0/text/type" ||
		len(checks[0].Warnings) != 1 || checks[0].Warnings[0].Pointer != "/text" {
		t.Errorf("checks = %v, want one ack check: a mrkdwn header and no fallback text", checks)
	}
}

func asSlackError(err error, target *slack.SlackErrorResponse) bool {
	se, ok := err.(slack.SlackErrorResponse)
	if ok {
		*target = se
	}
	return ok
}
