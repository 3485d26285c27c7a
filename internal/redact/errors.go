package redact

import (
	"errors"
	"io/fs"
	"net"
	"net/url"
	"os"
	"reflect"
)

// Error returns err with every known secret masked at every level of its
// chain: the result's Error and that of everything errors.Unwrap reaches
// from it (through joins too) carry no secret.
//
// The result keeps the shape of the chain. A part of the chain that holds
// no secret is kept as it is, so errors.Is matches its sentinels
// (context.Canceled, io.ErrUnexpectedEOF, syscall errnos ...) and
// errors.As finds its errors (a dial *net.OpError, a *net.DNSError). A
// *url.Error, *net.OpError, *net.DNSError, *os.SyscallError,
// *fs.PathError or *os.LinkError holding a secret is copied with its text
// fields masked and its wrapped error masked in turn, so errors.As still
// finds it. Any other error holding a secret is replaced by an error with
// its masked text that errors.Is treats as the original (its own
// comparison and Is method) but that errors.As does not hand out: the
// original's fields may hold the secret.
//
// A *url.Error whose URL has a query parameter named like a credential
// (see URL) counts as holding a secret. An error whose chain holds no
// secret is returned as it is.
func (r *Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	c := r.set()
	if c == nil {
		c = &compiled{} // still masks credential parameters of URLs
	}
	masked, _ := c.maskError(err, r, 0)
	return masked
}

// maxErrorDepth bounds the chain Error rebuilds; the rest of a deeper one
// is summed up in one masked error.
const maxErrorDepth = 100

// maskError returns err masked, and whether err was clean (then masked is
// err).
func (c *compiled) maskError(err error, r *Redactor, depth int) (error, bool) {
	text := err.Error()
	masked := c.mask(text)
	if depth >= maxErrorDepth {
		if masked == text && !hasUnwrap(err) {
			return err, true
		}
		return newDeepError(masked, err), false
	}

	var kids []error
	multi := false
	switch u := err.(type) {
	case interface{ Unwrap() []error }:
		kids, multi = u.Unwrap(), true
	case interface{ Unwrap() error }:
		if k := u.Unwrap(); k != nil {
			kids = []error{k}
		}
	}
	clean := masked == text
	if ue, ok := err.(*url.Error); ok && ue != nil && sensitiveQuery(ue.URL) {
		// A session ID or API key in the query is masked by its name
		// (see URL), even when it is not a known secret.
		clean = false
	}
	mkids := make([]error, 0, len(kids))
	for _, k := range kids {
		if k == nil {
			continue
		}
		mk, ok := c.maskError(k, r, depth+1)
		clean = clean && ok
		mkids = append(mkids, mk)
	}
	if clean {
		return err, true
	}
	var kid error
	if len(mkids) > 0 {
		kid = mkids[0]
	}
	if !multi {
		if rebuilt := c.rebuild(err, kid, r); rebuilt != nil {
			return rebuilt, false
		}
		return newMaskedError(masked, err, kid), false
	}
	is, _ := original(err)
	return &maskedJoin{msg: masked, is: is, next: mkids}, false
}

// sensitiveQuery reports whether raw has a query parameter that URL
// masks by its name.
func sensitiveQuery(raw string) bool {
	_, ok := maskQuery(raw)
	return ok
}

func hasUnwrap(err error) bool {
	switch err.(type) {
	case interface{ Unwrap() []error }, interface{ Unwrap() error }:
		return true
	}
	return false
}

// rebuild copies the standard library's wrapper types with their text
// fields masked and kid, the masked wrapped error, in place of theirs; it
// returns nil for other types, or if the copy still shows a secret.
func (c *compiled) rebuild(err, kid error, r *Redactor) error {
	var out error
	needKid := true // the type's Error method calls its wrapped error's
	switch e := err.(type) {
	case *url.Error:
		if e == nil {
			return nil
		}
		out = &url.Error{Op: e.Op, URL: r.URL(e.URL), Err: kid}
	case *net.OpError:
		if e == nil {
			return nil
		}
		cp := *e
		cp.Err = kid
		out = &cp
	case *net.DNSError:
		if e == nil {
			return nil
		}
		cp := *e
		cp.Err, cp.Name, cp.Server, cp.UnwrapErr = c.mask(e.Err), c.mask(e.Name), c.mask(e.Server), kid
		out, needKid = &cp, false
	case *os.SyscallError:
		if e == nil {
			return nil
		}
		out = &os.SyscallError{Syscall: c.mask(e.Syscall), Err: kid}
	case *fs.PathError:
		if e == nil {
			return nil
		}
		out = &fs.PathError{Op: e.Op, Path: c.mask(e.Path), Err: kid}
	case *os.LinkError:
		if e == nil {
			return nil
		}
		out = &os.LinkError{Op: e.Op, Old: c.mask(e.Old), New: c.mask(e.New), Err: kid}
	default:
		return nil
	}
	if kid == nil && needKid || c.mask(out.Error()) != out.Error() {
		return nil
	}
	return out
}

// sameLevel reports whether orig itself, not its chain, is target, as
// errors.Is tests each level.
func sameLevel(orig, target error) bool {
	if target == nil {
		return orig == nil
	}
	if reflect.TypeOf(target).Comparable() && orig == target {
		return true
	}
	if x, ok := orig.(interface{ Is(error) bool }); ok && x.Is(target) {
		return true
	}
	return false
}

// The errors below stand for errors of a chain that held a secret. They
// must answer errors.Is as the originals do, but never show them: the
// originals are kept only inside the functions that compare with them, so
// that no formatting (%#v prints every field, unexported ones included)
// and no reflection can reach their text.

// original returns the comparison of errors.Is with orig, at its own
// level, and whether orig reports a timeout.
func original(orig error) (is func(error) bool, timeout bool) {
	t, ok := orig.(interface{ Timeout() bool })
	return func(target error) bool { return sameLevel(orig, target) }, ok && t.Timeout()
}

// maskedError stands for an error of its chain that held a secret.
type maskedError struct {
	msg     string
	is      func(error) bool // errors.Is at the original's level
	timeout bool
	next    error // the masked error the original wrapped
}

func newMaskedError(msg string, orig, next error) *maskedError {
	is, timeout := original(orig)
	return &maskedError{msg: msg, is: is, timeout: timeout, next: next}
}

func (e *maskedError) Error() string        { return e.msg }
func (e *maskedError) Unwrap() error        { return e.next }
func (e *maskedError) Is(target error) bool { return e.is(target) }

// Timeout reports what the original reports, for net/http and os.IsTimeout,
// which ask the error directly.
func (e *maskedError) Timeout() bool { return e.timeout }

// maskedJoin is maskedError for an error wrapping several (errors.Join,
// fmt.Errorf with several %w).
type maskedJoin struct {
	msg  string
	is   func(error) bool
	next []error
}

func (e *maskedJoin) Error() string        { return e.msg }
func (e *maskedJoin) Unwrap() []error      { return e.next }
func (e *maskedJoin) Is(target error) bool { return e.is(target) }

// deepError sums up the rest of a chain deeper than maxErrorDepth. It
// unwraps to nothing, so errors.Is asks the original's whole chain.
type deepError struct {
	msg string
	is  func(error) bool
}

func newDeepError(msg string, orig error) *deepError {
	return &deepError{msg: msg, is: func(target error) bool { return errors.Is(orig, target) }}
}

func (e *deepError) Error() string        { return e.msg }
func (e *deepError) Is(target error) bool { return e.is(target) }
