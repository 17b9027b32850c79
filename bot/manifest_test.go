package bot

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"coach/connect"
	"coach/decode"
	"coach/internal/slacksamples"
	"coach/signals"
)

// slackGoMethods maps the slack-go functions coach calls to the Web API
// methods they use.
var slackGoMethods = map[string][]string{
	"AuthTestContext":               {"auth.test"},
	"GetUsersContext":               {"users.list"},
	"GetUsersPaginated":             {"users.list"},
	"GetUserInfoContext":            {"users.info"},
	"GetUsersInConversationContext": {"conversations.members"},
	"OpenConversationContext":       {"conversations.open"},
	"GetConversationHistoryContext": {"conversations.history"},
	"GetConversationRepliesContext": {"conversations.replies"},
	"PostMessageContext":            {"chat.postMessage"},
	"PostEphemeralContext":          {"chat.postEphemeral"},
	"UpdateMessageContext":          {"chat.update"},
	"AddReactionContext":            {"reactions.add"},
	"PublishViewContext":            {"views.publish"},
	"OpenViewContext":               {"views.open"},
	"UploadFileContext":             {"files.getUploadURLExternal", "files.completeUploadExternal"},
	"GetTeamProfileContext":         {"team.profile.get"},
	"GetUserProfileContext":         {"users.profile.get"},
}

// botTokenPackages are the packages besides bot that call the Web API
// with the bot token: their calls need the manifest's scopes too.
var botTokenPackages = []string{"../orgsync"}

// The manifest's scopes match the Web API methods the code calls: every
// call has its method in MethodScopes, and every method there is called.
func TestManifestScopesMatchTheCode(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range botTokenPackages {
		more, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(more) == 0 {
			t.Fatalf("no Go files in %s: %v", dir, err)
		}
		files = append(files, more...)
	}
	call := regexp.MustCompile(`\.(?:api|client)\.(\w+)\(`)
	called := map[string]bool{"apps.connections.open": true} // slacklink.Client.Run
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllStringSubmatch(string(src), -1) {
			methods, ok := slackGoMethods[m[1]]
			if !ok {
				t.Errorf("%s calls slack-go's %s, which this test does not know: add it with its Web API method and scopes", f, m[1])
			}
			for _, method := range methods {
				called[method] = true
			}
		}
	}
	for method := range called {
		if _, ok := MethodScopes[method]; !ok {
			t.Errorf("the code calls %s, but MethodScopes (and so the manifest) has no entry for it", method)
		}
	}
	for method := range MethodScopes {
		if !called[method] {
			t.Errorf("MethodScopes grants scopes for %s, which the code never calls", method)
		}
	}
	var m struct {
		OAuth struct {
			Scopes struct {
				Bot []string `yaml:"bot"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
		Settings struct {
			Events struct {
				Bot []string `yaml:"bot_events"`
			} `yaml:"event_subscriptions"`
			Interactivity struct {
				Enabled bool `yaml:"is_enabled"`
			} `yaml:"interactivity"`
			SocketMode bool `yaml:"socket_mode_enabled"`
		} `yaml:"settings"`
		Features struct {
			AppHome struct {
				Home     bool `yaml:"home_tab_enabled"`
				Messages bool `yaml:"messages_tab_enabled"`
			} `yaml:"app_home"`
			Commands []struct {
				Command string `yaml:"command"`
			} `yaml:"slash_commands"`
		} `yaml:"features"`
	}
	if err := yaml.Unmarshal([]byte(Manifest("")), &m); err != nil {
		t.Fatalf("the manifest is not YAML: %v", err)
	}
	if !m.Settings.SocketMode || !m.Settings.Interactivity.Enabled || !m.Features.AppHome.Home || !m.Features.AppHome.Messages ||
		len(m.Features.Commands) != 1 || m.Features.Commands[0].Command != "/coach" {
		t.Errorf("manifest settings = %+v, features = %+v", m.Settings, m.Features)
	}
	// Exactly the scopes the methods and events need, plus commands.
	want := map[string]bool{"commands": true}
	for method := range called {
		for _, s := range MethodScopes[method] {
			want[s] = true
		}
	}
	for _, ss := range EventScopes {
		for _, s := range ss {
			want[s] = true
		}
	}
	var wantList []string
	for s := range want {
		wantList = append(wantList, s)
	}
	sort.Strings(wantList)
	if strings.Join(m.OAuth.Scopes.Bot, ",") != strings.Join(wantList, ",") {
		t.Errorf("manifest scopes %v, want exactly %v", m.OAuth.Scopes.Bot, wantList)
	}
	for _, s := range m.OAuth.Scopes.Bot {
		if ScopeUses[s] == "" {
			t.Errorf("scope %s has no ScopeUses line for coach check", s)
		}
	}
	if strings.Join(m.Settings.Events.Bot, ",") != strings.Join(Events(), ",") {
		t.Errorf("manifest events %v, want %v", m.Settings.Events.Bot, Events())
	}
}

// The manifest's events are exactly the events the Decoder handles.
func TestManifestEventsMatchTheDecoder(t *testing.T) {
	d := &decode.Decoder{Lexicon: signals.DefaultLexicon()}
	handled := func(typ string) bool {
		user := `"U1"`
		if typ == "user_change" || typ == "team_join" {
			user = `{"id":"U1","tz":"UTC"}`
		}
		got, err := d.Decode([]byte(`{"type":"event_callback","event_id":"Ev1","event":{"type":"` + typ + `","user":` + user + `,"channel":"C1","ts":"1.1","tab":"home"}}`))
		return err == nil && got.Skip != "event type not used"
	}
	inManifest := map[string]bool{}
	for _, e := range Events() {
		typ, _, _ := strings.Cut(e, ".")
		inManifest[typ] = true
		if !handled(typ) {
			t.Errorf("the manifest subscribes to %s, which the Decoder does not handle", e)
		}
	}
	var all []string
	for _, f := range slacksamples.Files(t, "events") {
		var p struct {
			Event struct {
				Type string `json:"type"`
			} `json:"event"`
		}
		if yaml.Unmarshal(f.JSON, &p) == nil && p.Event.Type != "" {
			all = append(all, p.Event.Type)
		}
	}
	if len(all) == 0 {
		t.Fatal("no event types read from the Slack samples")
	}
	for _, typ := range all {
		if handled(typ) && !inManifest[typ] {
			t.Errorf("the Decoder handles %s, but the manifest does not subscribe to it", typ)
		}
	}
}

// Connect's side of the manifest: exactly the user scopes package connect
// asks a manager for, the user events of their DMs and group DMs,
// tokens_revoked, and the redirect URL when there is one.
func TestManifestConnect(t *testing.T) {
	type manifest struct {
		OAuth struct {
			RedirectURLs []string `yaml:"redirect_urls"`
			Scopes       struct {
				Bot  []string `yaml:"bot"`
				User []string `yaml:"user"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
		Settings struct {
			Events struct {
				Bot  []string `yaml:"bot_events"`
				User []string `yaml:"user_events"`
			} `yaml:"event_subscriptions"`
		} `yaml:"settings"`
	}
	const redirect = "https://coach.example.com/connect/callback"
	for _, tt := range []struct {
		redirect string
		want     []string
	}{
		{redirect, []string{redirect}},
		{"https://example.com/a b/connect/callback", []string{"https://example.com/a b/connect/callback"}},
		{"", nil},
	} {
		out := Manifest(tt.redirect)
		var m manifest
		if err := yaml.Unmarshal([]byte(out), &m); err != nil {
			t.Fatalf("the manifest is not YAML: %v\n%s", err, out)
		}
		if !slices.Equal(m.OAuth.RedirectURLs, tt.want) {
			t.Errorf("Manifest(%q) redirect_urls = %q, want %q", tt.redirect, m.OAuth.RedirectURLs, tt.want)
		}
		want := slices.Clone(connect.UserScopes)
		sort.Strings(want)
		if !slices.Equal(m.OAuth.Scopes.User, want) {
			t.Errorf("user scopes %v, want exactly connect's %v", m.OAuth.Scopes.User, want)
		}
		for _, s := range m.OAuth.Scopes.User {
			if UserScopes[s] == "" {
				t.Errorf("user scope %s says nothing of what it is for", s)
			}
		}
		if !slices.Equal(m.Settings.Events.User, []string{"message.im", "message.mpim"}) {
			t.Errorf("user events %v, want [message.im message.mpim]", m.Settings.Events.User)
		}
		if !slices.Contains(m.Settings.Events.Bot, "tokens_revoked") {
			t.Errorf("bot events %v lack tokens_revoked", m.Settings.Events.Bot)
		}
		if len(m.OAuth.Scopes.Bot) == 0 || slices.Contains(m.OAuth.Scopes.Bot, "") {
			t.Errorf("bot scopes %v", m.OAuth.Scopes.Bot)
		}
	}
	if out := Manifest(""); !strings.Contains(out, "# redirect_urls: set connect.public_url") {
		t.Errorf("a manifest without a redirect URL does not say how to add it:\n%s", out)
	}
}
