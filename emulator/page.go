package emulator

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"
)

// The web chat page: index.html at "/", its script and style sheet under
// /web/, and the files of messages under /web/files/<file_id>?token=….
// The assets are embedded; index.html links them with a content hash
// (?v=…) so browsers may cache them for good, while "/" is revalidated
// on every load.

//go:embed web/index.html web/app.js web/style.css
var webAssets embed.FS

// pagePrefix is the path prefix of the page's assets and file downloads.
const pagePrefix = "/web/"

// pageCSP allows the page nothing beyond its own origin.
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// asset is one embedded file, ready to serve.
type asset struct {
	body        []byte
	contentType string
	etag        string // quoted strong ETag
	version     string // short content hash for ?v=
}

type pageSet struct {
	index, script, style asset
}

var (
	pageOnce  sync.Once
	pageFiles pageSet
)

func newAsset(name, contentType string) asset {
	body, err := webAssets.ReadFile(name)
	if err != nil {
		panic("emulator: embedded page asset missing: " + name) // cannot happen: go:embed checks at build time
	}
	return hashAsset(body, contentType)
}

func hashAsset(body []byte, contentType string) asset {
	sum := sha256.Sum256(body)
	v := hex.EncodeToString(sum[:8])
	return asset{body: body, contentType: contentType, etag: `"` + v + `"`, version: v}
}

// pageAssets loads the embedded assets once, and points index.html at the
// versioned URLs of the script and style sheet.
func pageAssets() *pageSet {
	pageOnce.Do(func() {
		p := &pageFiles
		p.script = newAsset("web/app.js", "text/javascript; charset=utf-8")
		p.style = newAsset("web/style.css", "text/css; charset=utf-8")
		raw, err := webAssets.ReadFile("web/index.html")
		if err != nil {
			panic("emulator: embedded page asset missing: web/index.html")
		}
		raw = bytes.Replace(raw, []byte(`"/web/app.js"`), []byte(`"/web/app.js?v=`+p.script.version+`"`), 1)
		raw = bytes.Replace(raw, []byte(`"/web/style.css"`), []byte(`"/web/style.css?v=`+p.style.version+`"`), 1)
		p.index = hashAsset(raw, "text/html; charset=utf-8")
	})
	return &pageFiles
}

// servePage serves "/" and everything under /web/. A client that does not
// accept HTML at "/" (curl, scripts) gets the plain-text index instead.
func (e *Emulator) servePage(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := pageAssets()
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	path := r.URL.Path
	switch {
	case path == "/":
		h.Set("Vary", "Accept")
		if !acceptsHTML(r) {
			e.serveIndex(w, r)
			return
		}
		h.Set("Content-Security-Policy", pageCSP)
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		serveAsset(w, r, &p.index, false)
	case path == pagePrefix+"app.js":
		serveAsset(w, r, &p.script, r.URL.Query().Get("v") == p.script.version)
	case path == pagePrefix+"style.css":
		serveAsset(w, r, &p.style, r.URL.Query().Get("v") == p.style.version)
	case strings.HasPrefix(path, pagePrefix+"files/"):
		e.servePageFile(w, r, path[len(pagePrefix+"files/"):])
	default:
		http.NotFound(w, r)
	}
}

// acceptsHTML reports whether r is a browser's request for a page: its
// Accept header names text/html.
func acceptsHTML(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}

// serveAsset writes a, with an ETag for revalidation. A request for the
// current version (immutable) may be cached for a year; others must be
// revalidated each time.
func serveAsset(w http.ResponseWriter, r *http.Request, a *asset, immutable bool) {
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("ETag", a.etag)
	if immutable {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
}

// servePageFile serves the content of a file a bot or a user sent, by
// file_id, for the page: photos inline, documents as downloads. The token
// names the bot (files belong to one bot, as in Telegram). Unlike
// /file/bot<token>/<file_path> it needs no getFile call, so showing a chat
// does not change the bot's request counters.
func (e *Emulator) servePageFile(w http.ResponseWriter, r *http.Request, fileID string) {
	b, aerr := e.knownBot(r.URL.Query().Get("token"))
	if aerr != nil {
		http.Error(w, "unknown bot token", http.StatusUnauthorized)
		return
	}
	b.mu.Lock()
	f := b.files[fileID]
	var (
		data                 []byte
		kind, name, mimeType string
	)
	if f != nil {
		data, kind, name, mimeType = f.data, f.kind, f.name, f.mime
	}
	b.mu.Unlock()
	if f == nil {
		http.Error(w, "file not found (it may have been forgotten: files are capped per chat)", http.StatusNotFound)
		return
	}
	h := w.Header()
	// Stored files are user content: never let them run as a page of this origin.
	h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox")
	ctype := mimeType
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	disposition := "attachment"
	if sniff := http.DetectContentType(data); isSafeImage(sniff) && (kind == "photo" || isSafeImage(ctype)) {
		ctype, disposition = sniff, "inline"
	}
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", contentDisposition(disposition, name))
	// A file_id always names the same bytes; it only disappears.
	h.Set("Cache-Control", "private, max-age=86400")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
}

// isSafeImage reports whether ctype is a raster image type browsers show
// without running anything.
func isSafeImage(ctype string) bool {
	switch ctype {
	case "image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp":
		return true
	}
	return false
}

func contentDisposition(kind, name string) string {
	if name == "" {
		return kind
	}
	if v := mime.FormatMediaType(kind, map[string]string{"filename": name}); v != "" {
		return v
	}
	return kind
}
