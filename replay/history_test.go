package replay

import (
	"reflect"
	"testing"
	"time"

	"coach/decode"
	"coach/signals"
)

// A message read back from history becomes the events replay makes of the
// same message in an export: the message, then its reactions at its time.
func TestHistoryEventsAreReplaysEvents(t *testing.T) {
	dec := &decode.Decoder{Lexicon: signals.DefaultLexicon(), Members: func(string) []string { return []string{"UM", "UA"} }}
	m := HistoryMessage{User: "UA", Text: `thanks! "quoted" any update?`, TS: "1767607200.000100",
		Reactions: []HistoryReaction{{Name: "tada", Users: []string{"UM", "UB"}}, {Name: "eyes", Users: []string{"UM"}}}}
	evs := HistoryEvents(dec, "D1", "im", m)
	if len(evs) != 4 || evs[0].Message == nil {
		t.Fatalf("events = %+v, want the message and 3 reactions", evs)
	}
	at := time.Unix(1767607200, 100000).UTC()
	msg := evs[0].Message
	if msg.Author != "UA" || msg.Channel != "D1" || msg.Kind != signals.DM || !msg.At.Equal(at) || msg.Flags != dec.Lexicon.Classify(m.Text) || len(msg.Members) != 2 {
		t.Errorf("message = %+v, want UA's DM at %s with the text's flags", msg, at)
	}
	wantReactions := []signals.Reaction{
		{Channel: "D1", TS: m.TS, ItemUser: "UA", User: "UM", Emoji: "tada", At: at},
		{Channel: "D1", TS: m.TS, ItemUser: "UA", User: "UB", Emoji: "tada", At: at},
		{Channel: "D1", TS: m.TS, ItemUser: "UA", User: "UM", Emoji: "eyes", At: at},
	}
	for i, want := range wantReactions {
		want.Kind, want.Members = signals.DM, msg.Members // the DM's, as its message's
		if got := evs[i+1].Reaction; got == nil || !reflect.DeepEqual(*got, want) {
			t.Errorf("reaction %d = %+v, want %+v", i, got, want)
		}
	}
	for _, ev := range evs {
		if ev.ID != "" {
			t.Errorf("event %+v has an id; HistoryEvents gives none", ev)
		}
	}

	// A bot's message is not counted, nor are reactions on it.
	bot := HistoryMessage{BotID: "B1", Subtype: "bot_message", Text: "deploy done", TS: "1767607300.000100", Reactions: []HistoryReaction{{Name: "tada", Users: []string{"UM"}}}}
	if evs := HistoryEvents(dec, "D1", "im", bot); len(evs) != 0 {
		t.Errorf("a bot's message made %+v, want no events", evs)
	}
	// A thread reply keeps its parent's author.
	reply := HistoryMessage{User: "UM", Text: "ok", TS: "1767607400.000100", ThreadTS: "1767607200.000100", ParentUserID: "UA"}
	evs = HistoryEvents(dec, "G1", "mpim", reply)
	if len(evs) != 1 || evs[0].Message.Kind != signals.GroupDM || evs[0].Message.ParentUser != "UA" || evs[0].Message.ThreadTS != reply.ThreadTS {
		t.Errorf("reply = %+v, want a group DM reply under UA's message", evs)
	}
}
