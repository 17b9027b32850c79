package connect

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"net/http"
	"strconv"
)

// page is one of the endpoint's small plain pages.
type page struct {
	Title string
	Body  string
}

// The pages. Every word a person reads on the endpoint is here.
var (
	pageConnected = page{"Connected", "Connected. You can close this tab. coach will send you a message in Slack with what it reads (your DMs and group DMs with your reports, counted, never stored as text) and how to disconnect."}
	pageNotFound  = page{"Not found", "There is nothing here. coach's Connect links come from Slack: type /coach connect there."}
	pageMethod    = page{"Not allowed", "This address only opens in a browser."}

	pageStateMissing = page{"This link is incomplete", "Nothing was stored. Ask coach for a new link: type /coach connect in Slack."}
	pageStateForged  = page{"This link is not valid", "It was not made by coach, or it was changed on the way. Nothing was stored. Ask coach for a new link: type /coach connect in Slack."}
	pageStateExpired = page{"This link has expired", "Connect links work for 10 minutes. Nothing was stored. Ask coach for a new link: type /coach connect in Slack."}
	pageStateUsed    = page{"This link was already used", "Each Connect link works once. Nothing more was stored. If you are not connected yet, ask coach for a new link: type /coach connect in Slack."}
	pageNotManager   = page{"Only managers can connect", "coach reads a manager's DMs with their reports, by that manager's consent, to count how often they talk. You do not manage a team in coach, so there is nothing to connect."}
	pageDenied       = page{"Not connected", "You did not allow coach to read your DMs, so nothing changed. You can connect later: type /coach connect in Slack."}
	pageNoCode       = page{"Slack sent no sign-in code", "Nothing was stored. Ask coach for a new link: type /coach connect in Slack."}
	pageWrongUser    = page{"Signed in as someone else", "The Slack account that allowed access is not the one this link was made for. Nothing was stored. Sign in to Slack as yourself, then ask coach for a new link: type /coach connect in Slack."}
	pageWrongTeam    = page{"Another workspace", "Access was allowed in another Slack workspace than the one this link was made for. Nothing was stored. Sign in to the right workspace, then ask coach for a new link."}
	pageScopes       = page{"Not all permissions were allowed", "coach needs to read your DMs and group DMs (and nothing more) to count them. Nothing was stored. Ask coach for a new link and allow all it asks for."}
	pageBadCode      = page{"Slack did not accept the sign-in", "The code Slack sent has expired or was already used. Nothing was stored. Ask coach for a new link: type /coach connect in Slack."}
	pageCredentials  = page{"coach's Slack app is not set up right", "Slack refused coach's app credentials, so nothing was stored. Tell your coach admin: connect.client_id or SLACK_CLIENT_SECRET is wrong (coach check says more)."}
	pageRedirect     = page{"coach's address is not set up right", "Slack refused coach's redirect address, so nothing was stored. Tell your coach admin: connect.public_url must match a redirect URL of the Slack app."}
	pageSlackDown    = page{"Slack could not be reached", "Nothing was stored. Try again in a minute with a new link: type /coach connect in Slack."}
	pageStoreFailed  = page{"coach could not save your connection", "Nothing was stored. Try again later with a new link; if it keeps happening, tell your coach admin."}
)

// pageStyle is the only style; the CSP allows exactly it, by hash.
const pageStyle = `body{font:16px/1.5 system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;color:#1d1c1d}h1{font-size:1.4em}`

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>coach: {{.Title}}</title>
<style>` + pageStyle + `</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p>{{.Body}}</p>
</body>
</html>
`))

// contentSecurityPolicy allows nothing but the inline style above: no
// scripts, images, fonts, frames, forms or outside requests.
var contentSecurityPolicy = func() string {
	sum := sha256.Sum256([]byte(pageStyle))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}()

// setPageHeaders sets what every response of the endpoint carries.
func setPageHeaders(h http.Header) {
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
}

func writePage(w http.ResponseWriter, status int, p page) {
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, p); err != nil {
		http.Error(w, p.Title, status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
