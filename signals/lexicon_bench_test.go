package signals

import "testing"

// benchTexts is a mix of what a workspace sends: short replies, questions,
// chases, thanks, long paragraphs and non-English text.
var benchTexts = []string{
	"ok",
	"Thanks for the quick fix!",
	"<@U0123ABCD> any updates on the migration? We need it before the beta ships.",
	"Shipped the release. Notes are in the doc, metadata is updated and the company update goes out tomorrow.",
	"Could you look at the draft when you have a minute? I left comments on sections 2 and 3, mostly about the rollout plan and who owns the on-call handover.",
	"ETA on this?",
	"Je suis en réunion jusqu'à 15h, on en parle après ? Merci beaucoup pour le travail sur la démo.",
	"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur.",
}

// BenchmarkClassify is Classify on the ingest path: once per message, over
// a mix of texts (ns/op is per message).
func BenchmarkClassify(b *testing.B) {
	l := DefaultLexicon()
	n := 0
	for _, s := range benchTexts {
		n += len(s)
	}
	b.SetBytes(int64(n / len(benchTexts)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		l.Classify(benchTexts[i%len(benchTexts)])
	}
}
