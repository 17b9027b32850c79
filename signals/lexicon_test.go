package signals

import (
	"reflect"
	"testing"
)

func TestClassify(t *testing.T) {
	l := DefaultLexicon()
	tests := []struct {
		text string
		want Flags
	}{
		{"Could you look at the draft", Flags{Question: true}},
		{"<@U1> how is it going", Flags{Question: true, Mentions: true}},
		{"Shipped the release.", Flags{}},
		{"Thanks for the quick fix!", Flags{Recognition: true}},
		{"Happy Thanksgiving everyone", Flags{}},
		{"great job on the launch <@U2>", Flags{Recognition: true, Mentions: true}},
		{"Any update on the migration", Flags{StatusChase: true}},
		{"status? eta?", Flags{Question: true, StatusChase: true}},
		{"Following up on the ticket", Flags{StatusChase: true}},
		{"is it done yet", Flags{Question: true, StatusChase: true}},
		{"Statusupdate posted", Flags{}},
		{"", Flags{}},
	}
	for _, tt := range tests {
		if got := l.Classify(tt.text); got != tt.want {
			t.Errorf("Classify(%q) = %+v, want %+v", tt.text, got, tt.want)
		}
	}
}

func TestMentions(t *testing.T) {
	got := Mentions("hi <@U123ABC> and <@W9|bob>, <@U123ABC> again, <#C1|chan> <@bad> <@U")
	want := []string{"U123ABC", "W9"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Mentions = %v, want %v", got, want)
	}
}

func TestRecognitionEmoji(t *testing.T) {
	l := DefaultLexicon()
	for name, want := range map[string]bool{"+1": true, "+1::skin-tone-3": true, "tada": true, "eyes": false, "heart": true} {
		if got := l.IsRecognitionEmoji(name); got != want {
			t.Errorf("IsRecognitionEmoji(%q) = %v, want %v", name, got, want)
		}
	}
}
