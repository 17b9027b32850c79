package signals

import "time"

// Which DM and group-DM events coach records.
//
// A bot sees only the channels it is in. A manager's DMs and group DMs
// with their reports reach coach under the manager's own authorization,
// once they connect (Visibility.Connected), and coach records an event of
// a DM or group DM only when both hold:
//
//   - its members are known and are one manager and at least one report
//     of theirs, and nobody else: a conversation with anyone outside the
//     team (another manager's report, someone in no team, coach itself) is
//     neither read nor counted;
//   - that manager is connected, and the message (for a reaction, the
//     message reacted to) was sent at or after the moment they connected.
//     What came before is read back once, up to that moment (History), so
//     each message counts once whichever way it arrives.
//
// Whose authorization Slack delivered the event under does not matter, and
// channels are not concerned: the bot sees those itself.

// DMOwner returns the manager whose conversation with their reports a DM
// or group DM with these members is: the manager among them whose reports
// all the others are. ok is false for unknown members (none), for a
// conversation with nobody but one person, and for one with anyone else.
func (o *Org) DMOwner(members []string) (manager string, ok bool) {
	for _, m := range members {
		if !o.IsManager(m) {
			continue
		}
		reports := 0
		for _, id := range members {
			if id == m {
				continue
			}
			if mm, isReport := o.managerOf[id]; !isReport || mm != m {
				reports = -1
				break
			}
			reports++
		}
		if reports > 0 {
			return m, true
		}
	}
	return "", false
}

// RecordsDM reports whether an event of a DM or group DM with these
// members, about a message sent at sent, may be recorded (the rule above).
func (o *Org) RecordsDM(members []string, sent time.Time) bool {
	m, ok := o.DMOwner(members)
	if !ok {
		return false
	}
	if o.History {
		return true
	}
	c := o.Visibility(m).Connected
	return !c.IsZero() && !sent.Before(c)
}

// mayRecord applies the rule to ev: events of channels and of people pass.
func (o *Org) mayRecord(ev Event) bool {
	switch {
	case ev.Message != nil:
		return ev.Message.Kind == Channel || o.RecordsDM(ev.Message.Members, ev.Message.At)
	case ev.Deletion != nil:
		return ev.Deletion.Kind == Channel || o.RecordsDM(ev.Deletion.Members, ev.Deletion.At)
	case ev.Reaction != nil:
		rc := ev.Reaction
		if rc.Kind == Channel {
			return true
		}
		sent, ok := ParseTS(rc.TS)
		return ok && o.RecordsDM(rc.Members, sent)
	}
	return true
}
