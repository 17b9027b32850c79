package store

import (
	"fmt"
	"math/rand"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"coach/signals"
)

// benchOrg is 10,000 managers with 8 reports each, in a handful of zones.
func benchOrg(managers, reports int) *signals.Org {
	zones := []string{"Europe/Berlin", "America/Los_Angeles", "Asia/Tokyo", "America/New_York", "UTC"}
	var people []signals.Person
	var teams []signals.Team
	for m := 0; m < managers; m++ {
		mid := fmt.Sprintf("UM%06d", m)
		people = append(people, signals.Person{ID: mid, TZ: zones[m%len(zones)]})
		t := signals.Team{Manager: mid}
		for r := 0; r < reports; r++ {
			rid := fmt.Sprintf("UR%06d%02d", m, r)
			people = append(people, signals.Person{ID: rid, TZ: zones[(m+r)%len(zones)]})
			t.Reports = append(t.Reports, rid)
		}
		teams = append(teams, t)
	}
	return signals.NewOrg(people, teams, signals.DefaultHours(), time.UTC)
}

// fillWindows writes days of realistic windows for every manager of o.
func fillWindows(b *testing.B, db *DB, o *signals.Org, today signals.Day, days int) {
	b.Helper()
	rng := rand.New(rand.NewSource(1))
	var managers []string
	for m := range o.Teams {
		managers = append(managers, m)
	}
	for i := 0; i < len(managers); i += 500 {
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			for _, m := range managers[i:min(i+500, len(managers))] {
				bk, err := tx.Bucket(bucketWindows).CreateBucketIfNotExists([]byte(m))
				if err != nil {
					return err
				}
				for d := today - signals.Day(days) + 1; d <= today; d++ {
					w := signals.DayWindow{Day: d, Directed: 20 + rng.Intn(20), OffHours: rng.Intn(5), Late: rng.Intn(2), Questions: rng.Intn(8), StatusChase: rng.Intn(3)}
					for _, r := range o.Teams[m].Reports {
						w.Report(r).Directed = rng.Intn(6)
						w.Report(r).Own = 10 + rng.Intn(10)
						w.Report(r).OwnOffHours = rng.Intn(3)
						w.Report(r).FromReport = rng.Intn(4)
						w.Report(r).Recognition = rng.Intn(2)
					}
					for k := 0; k < 6; k++ {
						rd := w.Report(o.Teams[m].Reports[k])
						rd.Latencies = append(rd.Latencies, int32(rng.Intn(600)))
					}
					if err := bk.Put(dayKey(d), encodeWindow(&w)); err != nil {
						return err
					}
				}
				st := signals.ManagerState{Waits: []signals.Wait{{Report: o.Teams[m].Reports[0], Channel: "D1", TS: "1.1", Opened: today.Start(time.UTC).Add(-30 * time.Hour)}}}
				for _, r := range o.Teams[m].Reports {
					st.Contact(r, today.Start(time.UTC).Add(-time.Duration(rng.Intn(20*24))*time.Hour))
				}
				if err := putJSON(tx.Bucket(bucketState), []byte(m), &st); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkComputeAllManagers computes every signal for 10,000 managers with
// 8 reports each over 28 days of windows read from a bbolt file on disk. One
// op is the whole workspace.
func BenchmarkComputeAllManagers(b *testing.B) {
	const managers, reports, days = 10000, 8, 28
	db, err := Open(filepath.Join(b.TempDir(), "bench.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	o := benchOrg(managers, reports)
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	today := signals.DayOf(now, time.UTC)
	fillWindows(b, db, o, today, days)
	hist := o.Limits.HistoryDays()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fired := 0
		for m := range o.Teams {
			t := signals.DayOf(now, o.Loc(m))
			ws, st, err := db.History(m, t-signals.Day(hist), t)
			if err != nil {
				b.Fatal(err)
			}
			for _, s := range signals.Compute(o, signals.Input{Manager: m, Now: now, Windows: ws, State: st}) {
				if s.Fired {
					fired++
				}
			}
		}
		if fired == 0 {
			b.Fatal("no signal fired across 10,000 managers; the data is not exercising the rules")
		}
	}
}
