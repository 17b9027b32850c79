package store

import (
	"errors"
	"reflect"
	"testing"

	"coach/signals"
)

func TestWindowCodecRoundTrip(t *testing.T) {
	w := signals.DayWindow{Day: 20500, Directed: 12, OffHours: 3, Late: 1, Questions: 4, StatusChase: 2,
		Reports: map[string]*signals.ReportDay{"UA": {Directed: 5, OffHours: 2, Recognition: 1, StatusChase: 2, FromReport: 3, Own: 9, OwnOffHours: 1, Latencies: []int32{0, 20, 540, 100000}}, "UB": {Own: 300}}}
	raw := encodeWindow(&w)
	var got signals.DayWindow
	if err := decodeWindow(raw, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, w) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, w)
	}
	// Every truncation is an error, never a panic or a silent partial read.
	for i := 0; i < len(raw); i++ {
		if err := decodeWindow(raw[:i], &got); !errors.Is(err, errCorrupt) {
			t.Errorf("decode of %d of %d bytes: %v, want errCorrupt", i, len(raw), err)
		}
	}
}

func FuzzDecodeWindow(f *testing.F) {
	f.Add(encodeWindow(&signals.DayWindow{Day: 1, Directed: 2, Reports: map[string]*signals.ReportDay{"U1": {Own: 1, Latencies: []int32{5}}}}))
	f.Add([]byte{1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, raw []byte) {
		var w signals.DayWindow
		if decodeWindow(raw, &w) == nil {
			var again signals.DayWindow
			if err := decodeWindow(encodeWindow(&w), &again); err != nil {
				t.Fatalf("re-encoded window does not decode: %v", err)
			}
		}
	})
}
