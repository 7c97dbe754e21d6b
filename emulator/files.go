package emulator

import (
	"bytes"
	"image"
	_ "image/gif" // photo dimensions
	_ "image/jpeg"
	_ "image/png"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/heraldbot/herald/tg"
)

// storedFile is an uploaded file kept in memory.
type storedFile struct {
	id, uniqueID string
	path         string // file_path for getFile and downloads
	kind         string // "photo" or "document"
	name, mime   string
	data         []byte
	width        int64
	height       int64
	chatID       int64
}

func (f *storedFile) photoSizes() []tg.PhotoSize {
	return []tg.PhotoSize{{FileID: f.id, FileUniqueID: f.uniqueID, Width: f.width, Height: f.height, FileSize: int64(len(f.data))}}
}

func (f *storedFile) document() *tg.Document {
	return &tg.Document{FileID: f.id, FileUniqueID: f.uniqueID, FileName: f.name, MimeType: f.mime, FileSize: int64(len(f.data))}
}

// storeFileLocked keeps an upload for chat ch, forgetting the chat's
// oldest file beyond Options.MaxFilesPerChat.
func (b *bot) storeFileLocked(ch *chat, up *formFile, kind string) (*storedFile, *apiError) {
	if len(up.data) == 0 {
		return nil, badRequest("file must be non-empty")
	}
	if int64(len(up.data)) > b.e.opts.MaxFileSize {
		return nil, errFileTooBig
	}
	f := &storedFile{kind: kind, data: up.data, chatID: ch.info.ID}
	if up.name != "" { // an upload may have an empty file name
		f.name = path.Base(up.name)
	}
	prefix, ext := "BQAC", path.Ext(f.name)
	if kind == "photo" {
		cfg, _, err := image.DecodeConfig(bytes.NewReader(up.data))
		if err != nil {
			return nil, errImageProcess
		}
		f.width, f.height = int64(cfg.Width), int64(cfg.Height)
		prefix, ext = "AgAC", ".jpg"
	}
	f.mime = up.contentType
	if f.mime == "" || f.mime == "application/octet-stream" {
		if t := mime.TypeByExtension(path.Ext(f.name)); t != "" {
			f.mime = t
		} else if f.mime == "" {
			f.mime = "application/octet-stream"
		}
	}
	if mt, _, err := mime.ParseMediaType(f.mime); err == nil {
		f.mime = mt
	}
	b.fileSeq++
	seq := strconv.FormatInt(b.fileSeq, 10)
	f.id = prefix + strconv.FormatInt(b.id, 36) + "_" + seq + "_" + strconv.FormatInt(time.Now().UnixNano()%99991, 36)
	f.uniqueID = "AQAD" + strconv.FormatInt(b.id, 36) + "_" + seq
	f.path = kind + "s/file_" + seq + ext
	b.files[f.id] = f
	b.paths[f.path] = f
	ch.files = append(ch.files, f.id)
	if over := len(ch.files) - b.e.opts.MaxFilesPerChat; over > 0 {
		for _, id := range ch.files[:over] {
			if old := b.files[id]; old != nil {
				delete(b.paths, old.path)
				delete(b.files, id)
			}
		}
		ch.files = append([]string(nil), ch.files[over:]...)
	}
	return f, nil
}

// inputFileLocked resolves an InputFile parameter value: a multipart
// upload (directly or by "attach://name"), or an existing file_id. Remote
// URLs are refused: the emulator has no network.
func (c *call) inputFileLocked(ch *chat, value string, part string, kind string) (*storedFile, *apiError) {
	up := c.p.files[part]
	if name, ok := strings.CutPrefix(value, "attach://"); ok {
		up = c.p.files[name]
		if up == nil {
			return nil, badRequest("can't find attached file %q", name)
		}
	}
	if up != nil {
		return c.b.storeFileLocked(ch, up, kind)
	}
	v := strings.TrimSpace(value)
	if v == "" {
		return nil, badRequest("there is no %s in the request", kind)
	}
	low := strings.ToLower(v)
	if strings.HasPrefix(low, "http://") || strings.HasPrefix(low, "https://") {
		return nil, errRemoteURL
	}
	return c.b.fileLocked(v, kind, errWrongFileType)
}

// fileLocked returns the stored file id of kind, or missing if unknown.
func (b *bot) fileLocked(id, kind string, missing *apiError) (*storedFile, *apiError) {
	f := b.files[id]
	if f == nil {
		return nil, missing
	}
	if f.kind != kind {
		return nil, badRequest("type of file mismatch")
	}
	return f, nil
}

func getFile(c *call) (any, *apiError) {
	c.b.mu.Lock()
	defer c.b.mu.Unlock()
	f := c.b.files[strings.TrimSpace(c.p.str("file_id"))]
	if f == nil {
		return nil, errInvalidFileID
	}
	return tg.File{FileID: f.id, FileUniqueID: f.uniqueID, FileSize: int64(len(f.data)), FilePath: f.path}, nil
}

// serveFile serves "/file/bot<token>/<file_path>".
func (e *Emulator) serveFile(w http.ResponseWriter, r *http.Request, rest string) {
	token, filePath, ok := strings.Cut(rest, "/")
	if !ok {
		writeError(w, &apiError{code: http.StatusNotFound, desc: "Not Found"})
		return
	}
	b, aerr := e.knownBot(token)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	b.mu.Lock()
	f := b.paths[filePath]
	b.mu.Unlock()
	if f == nil {
		writeError(w, errFileNotFound)
		return
	}
	w.Header().Set("Content-Type", f.mime)
	if f.kind == "photo" {
		if ct := http.DetectContentType(f.data); strings.HasPrefix(ct, "image/") {
			w.Header().Set("Content-Type", ct)
		}
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(f.data)))
	// Uploaded files are the users' content, served on the page's origin:
	// never let a browser render them as pages.
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Disposition", "attachment")
	if r.Method != http.MethodHead {
		_, _ = w.Write(f.data)
	}
}
