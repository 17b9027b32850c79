package signals

import (
	"testing"
	"time"
)

// dmOrg: Mia (UM) leads Ana (UA) and Ben (UB) and connected her DMs at
// t0; Noa (UN) leads Eve (UE) and never connected; Oli (UO) is in no team;
// UBOT is coach itself.
func dmOrg(t0 time.Time) *Org {
	people := []Person{
		{ID: "UM", Name: "Mia", TZ: "Europe/Berlin"},
		{ID: "UA", Name: "Ana", TZ: "Europe/Berlin"},
		{ID: "UB", Name: "Ben", TZ: "Europe/Berlin"},
		{ID: "UN", Name: "Noa", TZ: "Europe/Berlin"},
		{ID: "UE", Name: "Eve", TZ: "Europe/Berlin"},
		{ID: "UO", Name: "Oli", TZ: "Europe/Berlin"},
		{ID: "UBOT", Name: "coach", IsBot: true},
	}
	teams := []Team{
		{Manager: "UM", Reports: []string{"UA", "UB"}, Visibility: Visibility{Connected: t0}},
		{Manager: "UN", Reports: []string{"UE"}},
	}
	o := NewOrg(people, teams, DefaultHours(), time.UTC)
	o.BotUserID = "UBOT"
	return o
}

// The recording rule: a DM or group-DM event counts only when its members
// are a manager and reports of theirs, that manager is connected, and the
// message was sent at or after they connected (or it is read back from
// history); channels are not concerned.
func TestDMRecordingRule(t *testing.T) {
	t0 := time.Date(2026, 3, 3, 11, 0, 0, 0, time.UTC) // Tuesday, 12:00 in Berlin
	after, before := t0.Add(2*time.Hour), t0.Add(-2*time.Hour)
	msg := func(kind ConvKind, author string, at time.Time, members ...string) Event {
		return Event{ID: "E", Message: &Message{Channel: "D1", TS: ts(at), At: at, Author: author, Kind: kind, Members: members, Mentioned: []string{"UA"}}}
	}
	reaction := func(sent, at time.Time, members ...string) Event {
		return Event{ID: "E", Reaction: &Reaction{Channel: "D1", TS: ts(sent), ItemUser: "UA", User: "UM", Emoji: "tada", At: at, Kind: DM, Members: members}}
	}
	deletion := func(at time.Time) Event {
		ev := msg(DM, "UM", at, "UM", "UA")
		ev.Deletion, ev.Message = ev.Message, nil
		return ev
	}
	tests := []struct {
		name    string
		history bool
		// disconnected: Mia's Visibility.Connected is zero
		disconnected bool
		ev           Event
		want         bool
	}{
		{name: "Mia's DM to Ana after she connected", ev: msg(DM, "UM", after, "UM", "UA"), want: true},
		{name: "Mia's DM to Ana at the moment she connected", ev: msg(DM, "UM", t0, "UM", "UA"), want: true},
		{name: "Mia's DM to Ana before she connected (the read back's)", ev: msg(DM, "UM", before, "UM", "UA")},
		{name: "Ana's DM to Mia after", ev: msg(DM, "UA", after, "UA", "UM"), want: true},
		{name: "group DM of Mia, Ana and Ben", ev: msg(GroupDM, "UM", after, "UM", "UA", "UB"), want: true},
		{name: "group DM with someone in no team", ev: msg(GroupDM, "UM", after, "UM", "UA", "UO")},
		{name: "group DM with another manager's report", ev: msg(GroupDM, "UA", after, "UM", "UA", "UE")},
		{name: "group DM with coach in it", ev: msg(GroupDM, "UM", after, "UM", "UA", "UBOT")},
		{name: "DM of a manager who never connected", ev: msg(DM, "UN", after, "UN", "UE")},
		{name: "DM between two reports", ev: msg(DM, "UA", after, "UA", "UB")},
		{name: "DM whose members are unknown", ev: msg(DM, "UM", after)},
		{name: "Mia's DM with herself", ev: msg(DM, "UM", after, "UM", "UM")},
		{name: "Mia disconnected", disconnected: true, ev: msg(DM, "UM", after, "UM", "UA")},
		{name: "channel message before she connected", ev: msg(Channel, "UM", before), want: true},
		{name: "read back: DM before she connected", history: true, ev: msg(DM, "UM", before, "UM", "UA"), want: true},
		{name: "read back: group DM with someone in no team", history: true, ev: msg(GroupDM, "UM", before, "UM", "UA", "UO")},
		{name: "reaction on a message sent after", ev: reaction(after, after.Add(time.Minute), "UM", "UA"), want: true},
		{name: "reaction after, on a message sent before", ev: reaction(before, after, "UM", "UA")},
		{name: "reaction in a group DM with someone in no team", ev: reaction(after, after, "UM", "UA", "UO")},
		{name: "deletion of a message sent before: nothing to undo", ev: deletion(before)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := dmOrg(t0)
			if tt.disconnected {
				o.Teams["UM"].Connected = time.Time{}
			}
			o.History = tt.history
			if got := o.mayRecord(tt.ev); got != tt.want {
				t.Errorf("mayRecord = %v, want %v", got, tt.want)
			}
			eff := Fold(o, newMemLedger(), tt.ev)
			if tt.ev.Deletion == nil && eff.Recorded != tt.want {
				t.Errorf("Fold recorded %v, want %v", eff.Recorded, tt.want)
			}
			if !tt.want && eff.Recorded {
				t.Errorf("Fold recorded what the rule refuses")
			}
		})
	}
}

// A deletion of a DM message that was counted takes its counts away; one
// of a message from before the manager connected finds nothing.
func TestDMDeletionFollowsTheRule(t *testing.T) {
	t0 := time.Date(2026, 3, 3, 11, 0, 0, 0, time.UTC)
	o := dmOrg(t0)
	l := newMemLedger()
	m := &Message{Channel: "D1", TS: ts(t0.Add(time.Hour)), At: t0.Add(time.Hour), Author: "UM", Kind: DM, Members: []string{"UM", "UA"}}
	Fold(o, l, Event{Message: m})
	if tot, _ := l.total("UM"); tot.Directed != 1 {
		t.Fatalf("directed = %d, want 1", tot.Directed)
	}
	if eff := Fold(o, l, Event{Deletion: m}); !eff.Recorded {
		t.Error("deletion of a counted DM was not recorded")
	}
	if tot, _ := l.total("UM"); tot.Directed != 0 {
		t.Errorf("directed after deletion = %d, want 0", tot.Directed)
	}
}

func TestDMOwner(t *testing.T) {
	// Noa reports to Mia and leads Eve: a manager among Mia's reports.
	o := NewOrg([]Person{{ID: "UM"}, {ID: "UA"}, {ID: "UN"}, {ID: "UE"}},
		[]Team{{Manager: "UM", Reports: []string{"UA", "UN"}}, {Manager: "UN", Reports: []string{"UE"}}}, DefaultHours(), time.UTC)
	tests := []struct {
		members []string
		want    string // "" for none
	}{
		{[]string{"UM", "UA"}, "UM"},
		{[]string{"UA", "UM"}, "UM"},
		{[]string{"UN", "UM"}, "UM"},       // Noa is Mia's report
		{[]string{"UN", "UE"}, "UN"},       // Eve is Noa's
		{[]string{"UM", "UN", "UE"}, ""},   // Eve is not Mia's, Mia is not Noa's
		{[]string{"UM", "UA", "UN"}, "UM"}, // all Mia's
		{[]string{"UM"}, ""},
		{nil, ""},
		{[]string{"UA", "UN"}, ""},
	}
	for _, tt := range tests {
		got, ok := o.DMOwner(tt.members)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("DMOwner(%v) = %q, %v; want %q", tt.members, got, ok, tt.want)
		}
	}
}
