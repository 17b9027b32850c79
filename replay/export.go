package replay

import (
	"archive/zip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"time"

	"coach/internal/jsonscan"
)

// export is an opened Slack workspace export: its files, the conversations
// its metadata files list, and the day files to replay.
type export struct {
	name   string // the path given, for messages
	fsys   fs.FS
	closer io.Closer

	users    []json.RawMessage // users.json, one raw object per user
	convs    map[string]*conversation
	byFolder map[string]*conversation
	days     []dayFile // date order, then folder
	unlisted []string  // folders read as channels though no metadata file lists them
}

// conversation is one channel, private channel, DM or group DM.
type conversation struct {
	ID      string
	Folder  string
	Type    string   // Events API channel_type: channel, group, im, mpim
	Members []string // for im and mpim
}

// dayFile is one folder/YYYY-MM-DD.json.
type dayFile struct {
	Path string
	Conv *conversation
	Date time.Time // UTC midnight of the file's date
	Size int64
}

// exportConv is the shape of an entry of channels.json, groups.json,
// dms.json and mpims.json.
type exportConv struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Members []string `json:"members"`
}

// openExport opens a zip file or a directory and reads its metadata files.
func openExport(name string) (*export, error) {
	info, err := os.Stat(name)
	if err != nil {
		return nil, fmt.Errorf("replay: export: %w", err)
	}
	ex := &export{name: name}
	if info.IsDir() {
		ex.fsys = os.DirFS(name)
	} else {
		zr, err := zip.OpenReader(name)
		if err != nil {
			return nil, fmt.Errorf("replay: %s: not a zip file or a directory: %w", name, err)
		}
		if err := checkZipNames(name, zr.File); err != nil {
			zr.Close()
			return nil, err
		}
		ex.fsys, ex.closer = zr, zr
	}
	if err := ex.load(); err != nil {
		ex.Close()
		return nil, err
	}
	return ex, nil
}

// Close releases the zip file, if any.
func (ex *export) Close() error {
	if ex.closer != nil {
		return ex.closer.Close()
	}
	return nil
}

// checkZipNames rejects an archive with an entry whose name could point
// outside it ("zip-slip"): a ".." element, an absolute path, a drive letter
// or a backslash. Replay never extracts files, but such an archive is not a
// Slack export and is not read at all.
func checkZipNames(archive string, files []*zip.File) error {
	for _, f := range files {
		n := f.Name
		bad := n == "" || strings.HasPrefix(n, "/") || strings.Contains(n, `\`) ||
			(len(n) >= 2 && n[1] == ':')
		for _, el := range strings.Split(n, "/") {
			bad = bad || el == ".."
		}
		if bad {
			return fmt.Errorf("replay: %s: entry %q points outside the archive (a \"..\" or absolute path); refusing to read it", archive, n)
		}
	}
	return nil
}

// load reads the metadata files and lists the day files.
func (ex *export) load() error {
	if err := ex.findRoot(); err != nil {
		return err
	}
	usersFile := "users.json"
	if _, err := fs.Stat(ex.fsys, usersFile); errors.Is(err, fs.ErrNotExist) {
		if _, err := fs.Stat(ex.fsys, "org_users.json"); err == nil {
			usersFile = "org_users.json" // Enterprise Grid exports
		}
	}
	if err := ex.readJSON(usersFile, &ex.users, true); err != nil {
		return err
	}
	ex.convs = map[string]*conversation{}
	ex.byFolder = map[string]*conversation{}
	for _, src := range []struct {
		file, typ string
		byID      bool // the folder is named by id (DMs), else by name
	}{
		{"channels.json", "channel", false},
		{"groups.json", "group", false},
		{"mpims.json", "mpim", false},
		{"dms.json", "im", true},
	} {
		var list []exportConv
		if err := ex.readJSON(src.file, &list, false); err != nil {
			return err
		}
		for i, c := range list {
			folder := c.Name
			if src.byID {
				folder = c.ID
			}
			if c.ID == "" || folder == "" {
				return fmt.Errorf("replay: %s in %s: entry %d has no id or name", src.file, ex.name, i)
			}
			conv := &conversation{ID: c.ID, Folder: folder, Type: src.typ}
			if src.typ == "im" || src.typ == "mpim" {
				conv.Members = c.Members
			}
			ex.convs[c.ID] = conv
			ex.byFolder[folder] = conv
		}
	}
	return ex.listDays()
}

// findRoot accepts an export zipped with its enclosing folder: when there is
// no users.json at the top but exactly one folder holds it, that folder is
// the export.
func (ex *export) findRoot() error {
	for _, f := range []string{"users.json", "org_users.json"} {
		if _, err := fs.Stat(ex.fsys, f); err == nil {
			return nil
		}
	}
	entries, err := fs.ReadDir(ex.fsys, ".")
	if err != nil {
		return fmt.Errorf("replay: %s: %w", ex.name, err)
	}
	var roots []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		for _, f := range []string{"users.json", "org_users.json"} {
			if _, err := fs.Stat(ex.fsys, path.Join(e.Name(), f)); err == nil {
				roots = append(roots, e.Name())
				break
			}
		}
	}
	if len(roots) == 1 {
		sub, err := fs.Sub(ex.fsys, roots[0])
		if err != nil {
			return fmt.Errorf("replay: %s: %w", ex.name, err)
		}
		ex.fsys = sub
	}
	return nil
}

// readJSON decodes one metadata file. A missing optional file is no error
// (a public-channels-only export has no dms.json); a malformed one is.
func (ex *export) readJSON(file string, v any, required bool) error {
	data, err := fs.ReadFile(ex.fsys, file)
	if errors.Is(err, fs.ErrNotExist) {
		if required {
			return fmt.Errorf("replay: %s not found in %s (every Slack export has one at its top level; is this a Slack workspace export?)", file, ex.name)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("replay: %s in %s: %w", file, ex.name, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("replay: %s in %s: %w", file, ex.name, jsonscan.Redact(err))
	}
	return nil
}

// listDays finds every folder/YYYY-MM-DD.json, in date order. A folder that
// no metadata file lists is read as a public channel named by the folder.
func (ex *export) listDays() error {
	top, err := fs.ReadDir(ex.fsys, ".")
	if err != nil {
		return fmt.Errorf("replay: %s: %w", ex.name, err)
	}
	for _, d := range top {
		if !d.IsDir() {
			continue
		}
		entries, err := fs.ReadDir(ex.fsys, d.Name())
		if err != nil {
			return fmt.Errorf("replay: %s in %s: %w", d.Name(), ex.name, err)
		}
		var conv *conversation
		for _, e := range entries {
			date, ok := dayFileDate(e.Name())
			if !ok || e.IsDir() {
				continue
			}
			if conv == nil {
				conv = ex.byFolder[d.Name()]
				if conv == nil {
					conv = &conversation{ID: d.Name(), Folder: d.Name(), Type: "channel"}
					ex.byFolder[d.Name()] = conv
					ex.unlisted = append(ex.unlisted, d.Name())
				}
			}
			var size int64
			if info, err := e.Info(); err == nil {
				size = info.Size()
			}
			ex.days = append(ex.days, dayFile{Path: d.Name() + "/" + e.Name(), Conv: conv, Date: date, Size: size})
		}
	}
	sort.Slice(ex.days, func(i, j int) bool {
		a, b := ex.days[i], ex.days[j]
		if !a.Date.Equal(b.Date) {
			return a.Date.Before(b.Date)
		}
		return a.Path < b.Path
	})
	return nil
}

// dayFileDate reads the date of a "2026-01-07.json" file name.
func dayFileDate(name string) (time.Time, bool) {
	stem, ok := strings.CutSuffix(name, ".json")
	if !ok || len(stem) != len("2006-01-02") {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, stem)
	return t, err == nil
}

// members answers Decoder.Members from dms.json and mpims.json.
func (ex *export) members(channel string) []string {
	if c, ok := ex.convs[channel]; ok {
		return c.Members
	}
	return nil
}
