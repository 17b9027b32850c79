package nudges

import (
	"context"
	"time"
)

// Every DM coach must send exactly once (a digest, a pulse DM, a consent
// notice) follows one rule, the digests'. Its attempt is noted, with its
// time, before the call starts; the call is bounded by SendTimeout
// (SendContext); and a DM whose send may have reached Slack (coach stopped,
// or the call failed) is looked for in Slack only once Slack has had
// RecheckAfter to record it (RecheckAt), and sent again only if it is not
// there. Looking sooner may miss a post that Slack records later, and the
// DM would go out twice.

// SendContext bounds one send to SendTimeout from now, the moment its
// attempt was noted.
func (s *Scheduler) SendContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.opt.SendTimeout)
}

// RecheckAt is the earliest time a send whose attempt was noted at
// attempted may be looked for in Slack.
func (s *Scheduler) RecheckAt(attempted time.Time) time.Time {
	return attempted.Add(s.recheckAfter())
}
