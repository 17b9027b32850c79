package slackfake

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// File is a file the bot uploaded with the files.getUploadURLExternal flow.
type File struct {
	ID, Name, Title string
	// Length is the size the bot announced; Bytes what it actually posted.
	Length int
	Bytes  []byte
	// Channel, InitialComment and ThreadTS come from files.completeUploadExternal.
	Channel, InitialComment, ThreadTS string
	// Uploaded is set once the bytes arrived, Shared once the upload was completed.
	Uploaded, Shared bool
}

// Files returns every file the bot started uploading, in order.
func (s *Server) Files() []File {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]File, 0, len(s.fileOrder))
	for _, id := range s.fileOrder {
		f := *s.files[id]
		f.Bytes = bytes.Clone(f.Bytes)
		out = append(out, f)
	}
	return out
}

// filesGetUploadURLExternal reserves a file ID and an upload URL on this server.
func (s *Server) filesGetUploadURLExternal(req *apiRequest) apiResponse {
	name := req.args["filename"]
	length, err := strconv.Atoi(req.args["length"])
	if name == "" || err != nil || length <= 0 {
		return apiError("invalid_arguments")
	}
	f := &File{ID: s.nextIDLocked("F"), Name: name, Title: name, Length: length}
	s.files[f.ID] = f
	s.fileOrder = append(s.fileOrder, f.ID)
	return ok(apiResponse{"upload_url": s.base + "/upload/" + f.ID, "file_id": f.ID})
}

// serveUpload takes the bytes of a file, as a multipart "file" part or a raw body.
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/upload/")
	if r.Method != http.MethodPost {
		http.Error(w, "slackfake: upload wants POST", http.StatusMethodNotAllowed)
		return
	}
	data, err := readUpload(r)
	if err != nil {
		http.Error(w, "slackfake: read upload: "+err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	f := s.files[id]
	if f != nil {
		f.Bytes, f.Uploaded = data, true
	}
	s.mu.Unlock()
	if f == nil {
		http.Error(w, "slackfake: unknown upload "+id, http.StatusNotFound)
		return
	}
	s.logf("slackfake: upload %s: %d bytes", id, len(data))
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, "OK - "+strconv.Itoa(len(data)))
}

func readUpload(r *http.Request) ([]byte, error) {
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if !strings.HasPrefix(mediaType, "multipart/") {
		return io.ReadAll(r.Body)
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, err
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil, io.ErrUnexpectedEOF
		}
		if err != nil {
			return nil, err
		}
		if part.FormName() == "file" {
			return io.ReadAll(part)
		}
	}
}

// filesCompleteUploadExternal shares uploaded files into a channel.
func (s *Server) filesCompleteUploadExternal(req *apiRequest) apiResponse {
	var summaries []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(req.args["files"]), &summaries); err != nil || len(summaries) == 0 {
		return apiError("invalid_arguments")
	}
	channel := req.args["channel_id"]
	if channel == "" {
		if list := splitList(req.args["channels"]); len(list) > 0 {
			channel = list[0]
		}
	}
	for _, sum := range summaries {
		if f := s.files[sum.ID]; f == nil || !f.Uploaded {
			return apiError("file_not_found")
		}
	}
	out := make([]map[string]string, 0, len(summaries))
	for _, sum := range summaries {
		f := s.files[sum.ID]
		if sum.Title != "" {
			f.Title = sum.Title
		}
		f.Channel, f.InitialComment, f.ThreadTS = channel, req.args["initial_comment"], req.args["thread_ts"]
		f.Shared = true
		out = append(out, map[string]string{"id": f.ID, "title": f.Title})
	}
	return ok(apiResponse{"files": out})
}
