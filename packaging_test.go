package main

import (
	"debug/elf"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"coach/config"
)

// readRepoFile reads a file of the repository, relative to its root.
func readRepoFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// readmeBuildCommand is the build command of the README's "Run it" section:
// the line of its first sh block that starts with "go build".
func readmeBuildCommand(t *testing.T) string {
	t.Helper()
	readme := readRepoFile(t, "README.md")
	_, section, ok := strings.Cut(readme, "\n## Run it\n")
	section, _, _ = strings.Cut(section, "\n## ")
	_, block, ok2 := strings.Cut(section, "```sh\n")
	block, _, ok3 := strings.Cut(block, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal(`README.md has no "## Run it" section with a sh block`)
	}
	for _, line := range strings.Split(block, "\n") {
		if strings.HasPrefix(line, "go build") {
			return line
		}
	}
	t.Fatalf("the sh block of README.md's Run it section has no go build line:\n%s", block)
	return ""
}

// dockerInstruction is one instruction of a Dockerfile: "RUN", "go build -o coach .".
type dockerInstruction struct {
	op, args string
}

// dockerInstructions reads a Dockerfile's instructions, with continuation lines joined and
// comments dropped.
func dockerInstructions(text string) []dockerInstruction {
	var ins []dockerInstruction
	var cur string
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if cur == "" && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if next, ok := strings.CutSuffix(trimmed, "\\"); ok {
			cur += next + " "
			continue
		}
		op, args, _ := strings.Cut(cur+trimmed, " ")
		ins = append(ins, dockerInstruction{strings.ToUpper(op), strings.TrimSpace(args)})
		cur = ""
	}
	return ins
}

// dockerStages splits instructions into stages, each starting with its FROM. ARGs before the
// first FROM, which only the FROM lines see, are left out.
func dockerStages(ins []dockerInstruction) [][]dockerInstruction {
	var stages [][]dockerInstruction
	for _, in := range ins {
		switch {
		case in.op == "FROM":
			stages = append(stages, []dockerInstruction{in})
		case len(stages) > 0:
			stages[len(stages)-1] = append(stages[len(stages)-1], in)
		}
	}
	return stages
}

// The image is built with the README's own build command, static, and runs as a non-root
// user with the database on a volume and no token in the image.
func TestDockerfileBuildsAsTheREADMEDoes(t *testing.T) {
	text := readRepoFile(t, "Dockerfile")
	ins := dockerInstructions(text)
	stages := dockerStages(ins)
	if len(stages) < 2 {
		t.Fatalf("Dockerfile has %d stages, want a build stage and a runtime stage", len(stages))
	}
	build, runtime := stages[0], stages[len(stages)-1]

	want := readmeBuildCommand(t)
	var builds []string
	cgoOff := false
	for _, in := range build {
		if in.op == "ENV" && (in.args == "CGO_ENABLED=0" || in.args == "CGO_ENABLED 0") && len(builds) == 0 {
			cgoOff = true
		}
		if in.op == "RUN" && strings.Contains(in.args, "go build") {
			builds = append(builds, in.args)
		}
	}
	if len(builds) != 1 || builds[0] != want {
		t.Errorf("the build stage runs %q, want exactly the README's %q", builds, want)
	}
	if !cgoOff {
		t.Error("the build stage does not set ENV CGO_ENABLED=0 before it builds: the binary would not be static")
	}

	// The Go of the build stage is the one go.mod asks for.
	gomod := readRepoFile(t, "go.mod")
	goVersion := regexp.MustCompile(`(?m)^go (\S+)$`).FindStringSubmatch(gomod)
	argVersion := regexp.MustCompile(`(?m)^ARG GO_VERSION=(\S+)$`).FindStringSubmatch(text)
	if goVersion == nil || argVersion == nil || goVersion[1] != argVersion[1] {
		t.Errorf("Dockerfile ARG GO_VERSION = %v, go.mod's go = %v; want the same", argVersion, goVersion)
	}
	if from := build[0].args; !strings.HasPrefix(from, "golang:${GO_VERSION}") {
		t.Errorf("the build stage is FROM %q, want golang:${GO_VERSION}…", from)
	}

	var user, volumes, entrypoint, cmd string
	copiesBinary := false
	for _, in := range runtime {
		switch in.op {
		case "USER":
			user = in.args
		case "VOLUME":
			volumes += in.args
		case "ENTRYPOINT":
			entrypoint = in.args
		case "CMD":
			cmd = in.args
		case "COPY":
			if strings.HasPrefix(in.args, "--from=") && strings.Contains(in.args, "/src/coach ") {
				copiesBinary = true
			}
		case "RUN":
			t.Errorf("the runtime stage runs %q: it has no shell", in.args)
		}
	}
	if from := runtime[0].args; !strings.HasPrefix(from, "gcr.io/distroless/static") && from != "scratch" {
		t.Errorf("the runtime stage is FROM %q, want distroless static or scratch", from)
	}
	if name, _, _ := strings.Cut(user, ":"); name == "" || name == "root" || name == "0" {
		t.Errorf("the runtime stage runs as USER %q, want a non-root user", user)
	}
	if !copiesBinary {
		t.Error("the runtime stage does not copy the binary from the build stage")
	}
	dbDir := path.Dir(config.Default().Store.Path)
	if !strings.Contains(volumes, `"`+dbDir+`"`) {
		t.Errorf("the runtime stage's VOLUME is %q, want the default store.path's directory %s", volumes, dbDir)
	}
	if entrypoint != `["/usr/local/bin/coach"]` || cmd != `["run", "--config", "/etc/coach/config.yaml"]` {
		t.Errorf("ENTRYPOINT %s CMD %s, want the binary and run --config /etc/coach/config.yaml", entrypoint, cmd)
	}
	for _, in := range ins {
		if (in.op == "ENV" || in.op == "ARG") && strings.Contains(in.args, "TOKEN") {
			t.Errorf("Dockerfile %s %s: tokens come from the environment at run time, not from the image", in.op, in.args)
		}
	}
	if ignore := readRepoFile(t, ".dockerignore"); !strings.Contains(ignore, "*.env") || !strings.Contains(ignore, ".git") {
		t.Errorf(".dockerignore does not keep .git and *.env (token files) out of the build context:\n%s", ignore)
	}
}

// compose.yaml builds the image, takes the tokens from the environment, keeps the database
// on a named volume and reads the config from the path the image runs with.
func TestComposeExample(t *testing.T) {
	var compose struct {
		Services map[string]struct {
			Build       string            `yaml:"build"`
			Environment map[string]string `yaml:"environment"`
			Volumes     []string          `yaml:"volumes"`
			ReadOnly    bool              `yaml:"read_only"`
		} `yaml:"services"`
		Volumes map[string]any `yaml:"volumes"`
	}
	if err := yaml.Unmarshal([]byte(readRepoFile(t, "compose.yaml")), &compose); err != nil {
		t.Fatal(err)
	}
	svc, ok := compose.Services["coach"]
	if !ok {
		t.Fatalf("compose.yaml has no coach service: %+v", compose.Services)
	}
	if svc.Build != "." {
		t.Errorf("the coach service builds %q, want . (the Dockerfile)", svc.Build)
	}
	for _, env := range []string{config.BotTokenEnv, config.AppTokenEnv} {
		if v := svc.Environment[env]; !strings.HasPrefix(v, "${"+env) {
			t.Errorf("compose.yaml sets %s to %q, want it from the environment (${%s…})", env, v, env)
		}
	}
	dbDir := path.Dir(config.Default().Store.Path)
	var dataVolume string
	configMounted := false
	for _, v := range svc.Volumes {
		parts := strings.Split(v, ":")
		if len(parts) >= 2 && parts[1] == dbDir {
			dataVolume = parts[0]
		}
		if len(parts) >= 2 && parts[1] == "/etc/coach/config.yaml" {
			configMounted = true
		}
	}
	if _, named := compose.Volumes[dataVolume]; dataVolume == "" || !named {
		t.Errorf("compose.yaml mounts %q at %s, want a named volume", dataVolume, dbDir)
	}
	if !configMounted {
		t.Error("compose.yaml does not mount the config at /etc/coach/config.yaml")
	}
	if !svc.ReadOnly {
		t.Error("compose.yaml does not make the root file system read-only")
	}
}

// The systemd unit the README shows is the file deploy/coach.service, and the README points
// at the packaging files.
func TestSystemdUnitIsTheREADMEs(t *testing.T) {
	readme := readRepoFile(t, "README.md")
	unit := readRepoFile(t, "deploy/coach.service")
	_, block, ok := strings.Cut(readme, "```ini\n# /etc/systemd/system/coach.service\n")
	block, _, ok2 := strings.Cut(block, "```")
	if !ok || !ok2 {
		t.Fatal("README.md shows no ini block for /etc/systemd/system/coach.service")
	}
	if block = "# /etc/systemd/system/coach.service\n" + block; block != unit {
		t.Errorf("the unit in README.md differs from deploy/coach.service\nREADME:\n%s\nfile:\n%s", block, unit)
	}
	for _, link := range []string{"(deploy/coach.service)", "(Dockerfile)", "(compose.yaml)"} {
		if !strings.Contains(readme, link) {
			t.Errorf("README.md does not link %s", link)
		}
	}
	for _, line := range []string{"ExecStart=/usr/local/bin/coach run --config /etc/coach/config.yaml", "KillSignal=SIGTERM", "User=coach"} {
		if !slices.Contains(strings.Split(unit, "\n"), line) {
			t.Errorf("deploy/coach.service lacks %q", line)
		}
	}
}

// The README's build command with CGO_ENABLED=0, as the Dockerfile runs it, gives a static
// binary: no program interpreter, no shared libraries.
func TestStaticBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	args := strings.Fields(readmeBuildCommand(t))
	i := slices.Index(args, "-o")
	if args[0] != "go" || i < 0 || i+1 >= len(args) {
		t.Fatalf("README build command %q: want go build -o NAME …", args)
	}
	bin := filepath.Join(t.TempDir(), "coach")
	args[i+1] = bin
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary names a program interpreter: it is dynamically linked")
		}
	}
	if libs, err := f.ImportedLibraries(); err != nil || len(libs) > 0 {
		t.Errorf("the binary needs shared libraries %v (%v)", libs, err)
	}
	if out, err := exec.Command(bin, "help").CombinedOutput(); err != nil {
		t.Errorf("%s help: %v\n%s", bin, err, out)
	}
}
