package connector

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/restconn/restconn/internal/paging"
)

// ErrInvalidToken reports an ImportOptions.Resume token that the import
// cannot continue from: not a token (or a damaged one), a token of another
// spec, base URL, source list or options (Types, Since), or one whose
// next-page URL points to another host. The *Error that wraps it says
// which.
var ErrInvalidToken = errors.New("invalid resume token")

// tokenVersion is the first byte of every token. A token of another version
// is refused, so the format can change without a new engine misreading an
// old token.
const tokenVersion = 1

// A token is base64url (unpadded) of the version byte, the JSON of
// tokenData and a CRC-32C of both: printable, small (no record data, only
// a position) and checked for damage. It is not signed: it is the
// caller's data, and what a changed token could do is bounded by the rules
// the engine applies to any position (the next-page URL must be on the
// call's host, the cursor goes back only to the server that issued it).
type tokenData struct {
	Import string `json:"i"`            // fingerprint of the import: spec section, base URL, params, options
	Type   string `json:"t,omitempty"`  // ImportAccess: the entitlement type
	TypeIx int    `json:"ti,omitempty"` // ImportAccess: its index in the types imported
	Source int    `json:"s,omitempty"`  // the list call, by index in the sources
	Page   int    `json:"n,omitempty"`  // pages fetched of that list call
	URL    string `json:"u,omitempty"`  // nextURL, link: the next page
	Cursor string `json:"c,omitempty"`  // cursor: the next cursor
	Offset int    `json:"o,omitempty"`  // offset, page, scim: the next position
	Since  string `json:"since,omitempty"`
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func encodeToken(d tokenData) string {
	b, err := json.Marshal(d)
	if err != nil {
		panic(err) // strings and ints only
	}
	buf := make([]byte, 0, len(b)+5)
	buf = append(buf, tokenVersion)
	buf = append(buf, b...)
	buf = binary.BigEndian.AppendUint32(buf, crc32.Checksum(buf, castagnoli))
	return base64.RawURLEncoding.EncodeToString(buf)
}

func decodeToken(s string) (tokenData, error) {
	var d tokenData
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(b) < 6 {
		return d, errors.New("not a resume token")
	}
	body, sum := b[:len(b)-4], b[len(b)-4:]
	if binary.BigEndian.Uint32(sum) != crc32.Checksum(body, castagnoli) {
		return d, errors.New("the token is damaged (checksum mismatch)")
	}
	if body[0] != tokenVersion {
		return d, fmt.Errorf("token version %d, this engine reads version %d", body[0], tokenVersion)
	}
	dec := json.NewDecoder(bytes.NewReader(body[1:]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return d, errors.New("the token is damaged")
	}
	return d, nil
}

// importPlan is what a resumable import needs: the fingerprint its tokens
// carry, the caller's Checkpoint and where a Resume token says to start.
type importPlan struct {
	e          *Engine
	checkpoint func(string)
	print      string
	since      string
	types      []string // ImportAccess

	// Where to start: the type (ImportAccess), the source and the position
	// in that source's walk.
	typeIx, source int
	from           paging.Position
}

// planImport checks opts.Resume against this import and prepares its
// checkpoints. types is nil for ImportAccounts.
func (e *Engine) planImport(op Operation, opts ImportOptions, types []string) (*importPlan, error) {
	ip := &importPlan{e: e, checkpoint: opts.Checkpoint, types: types}
	if opts.Resume == "" && opts.Checkpoint == nil {
		return ip, nil
	}
	if !opts.Since.IsZero() {
		ip.since = opts.Since.UTC().Format(time.RFC3339Nano)
	}
	ip.print = e.importFingerprint(op, ip.since, types)
	if opts.Resume == "" {
		return ip, nil
	}
	bad := func(format string, args ...any) error {
		return &Error{Op: op, Message: "resume token: " + fmt.Sprintf(format, args...), Err: ErrInvalidToken}
	}
	d, err := decodeToken(opts.Resume)
	if err != nil {
		return nil, bad("%v", err)
	}
	switch {
	case d.Since != ip.since:
		return nil, bad("the token is for an import since %q, the options say %q", d.Since, ip.since)
	case d.Import != ip.print:
		return nil, bad("the token is from an import of another spec, base URL, source list or options")
	case d.Source < 0 || d.Page < 0 || d.TypeIx < 0:
		return nil, bad("negative position")
	}
	ip.typeIx, ip.source = d.TypeIx, d.Source
	ip.from = paging.Position{Number: d.Page, URL: d.URL, Cursor: d.Cursor, Offset: d.Offset}
	sources := 0
	if types == nil {
		if d.TypeIx != 0 || d.Type != "" {
			return nil, bad("the token is from an import of entitlements")
		}
		sources = len(e.accountSources(opts))
	} else {
		if d.TypeIx > len(types) || d.TypeIx < len(types) && d.Type != types[d.TypeIx] || d.TypeIx == len(types) && d.Type != "" {
			return nil, bad("entitlement type %q is not type %d of this import", d.Type, d.TypeIx)
		}
		if d.TypeIx < len(types) {
			sources = len(e.c.ents[types[d.TypeIx]].sources)
		}
	}
	if d.Source > sources || d.Source == sources && (d.Page != 0 || d.URL != "" || d.Cursor != "" || d.Offset != 0) {
		return nil, bad("source %d of %d", d.Source, sources)
	}
	return ip, nil
}

// importFingerprint binds tokens to one import: the spec's import section
// (the accounts part for ImportAccounts), the rendered base URL, the
// params (never the secrets), the operation and the options. A token
// carries its first 12 bytes.
func (e *Engine) importFingerprint(op Operation, since string, types []string) string {
	h := sha256.New()
	var section any = e.spec.Import
	if op == opImportAccounts && e.spec.Import != nil {
		section = e.spec.Import.Accounts
	}
	for _, part := range []string{"restconn resume 1", string(op), e.baseURL, since, strings.Join(types, "\x1f")} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	enc := json.NewEncoder(h)
	if err := enc.Encode(section); err != nil {
		fmt.Fprintf(h, "%v", err)
	}
	for _, k := range slices.Sorted(maps.Keys(e.params)) {
		h.Write([]byte(k))
		h.Write([]byte{0})
		if err := enc.Encode(e.params[k]); err != nil {
			fmt.Fprintf(h, "%#v\n", e.params[k])
		}
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:12])
}

// startAt returns where the walk of source (of type typeIx) starts: at
// the token's position for the source it names, at the beginning for the
// sources after it.
func (ip *importPlan) startAt(typeIx, source int) paging.Position {
	if typeIx == ip.typeIx && source == ip.source {
		return ip.from
	}
	return paging.Position{}
}

// afterPage calls Checkpoint with the token that resumes after a page of
// source (of type typeIx, with n sources), whose walk stands at after.
func (ip *importPlan) afterPage(typeIx, source, n int, cc *compiledCall, after paging.Position) {
	if ip.checkpoint == nil {
		return
	}
	if after.Done {
		ip.afterSource(typeIx, source, n)
		return
	}
	d := tokenData{Import: ip.print, Source: source, Page: after.Number, Cursor: after.Cursor, Offset: after.Offset, Since: ip.since}
	ip.setType(&d, typeIx)
	if after.URL != "" {
		u, ok := ip.e.tokenURL(cc, after.URL)
		if !ok {
			return // resumes from the page before: a token never carries a secret
		}
		d.URL = u
	}
	if after.Cursor != "" && ip.e.red.String(after.Cursor) != after.Cursor {
		return
	}
	ip.checkpoint(encodeToken(d))
}

// afterSource calls Checkpoint with the token that resumes after the last
// page of source (of type typeIx, with n sources).
func (ip *importPlan) afterSource(typeIx, source, n int) {
	if ip.checkpoint == nil {
		return
	}
	d := tokenData{Import: ip.print, Source: source + 1, Since: ip.since}
	if ip.types != nil && source+1 >= n {
		typeIx, d.Source = typeIx+1, 0 // the type is done: the next one
	}
	ip.setType(&d, typeIx)
	ip.checkpoint(encodeToken(d))
}

func (ip *importPlan) setType(d *tokenData, typeIx int) {
	if ip.types == nil {
		return
	}
	d.TypeIx = typeIx
	if typeIx < len(ip.types) {
		d.Type = ip.types[typeIx]
	}
}

// tokenURL is a next-page URL as a token may carry it: without the query
// parameter the call's credential is injected into (the engine adds the
// current one when it resumes), and refused (ok false) when it still
// carries a secret the engine knows, such as a session ID a server echoed
// into its links.
func (e *Engine) tokenURL(cc *compiledCall, raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", false
	}
	if cr := e.creds[cc.auth]; cr != nil && cr.a.inject != nil && cr.a.inject.In == "query" {
		q := u.Query()
		if _, ok := q[cr.a.inject.Name]; ok {
			q.Del(cr.a.inject.Name)
			u.RawQuery = q.Encode()
		}
	}
	s := u.String()
	return s, e.red.String(s) == s
}
