package saviynt

import (
	"fmt"
	"strings"
)

// javaLayout translates a Java SimpleDateFormat pattern (Saviynt's
// dateFormat) into a Go time layout for parsing. Quoted text ('T', ”)
// is literal; fractions of a second (.SSS) are left to Go, which parses a
// fraction after the seconds whatever the layout says; X, XX and XXX also
// accept "Z" for UTC, as in Java.
func javaLayout(p string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == '\'':
			if i+1 < len(p) && p[i+1] == '\'' {
				b.WriteByte('\'')
				i += 2
				continue
			}
			j := i + 1
			var lit strings.Builder
			for ; j < len(p); j++ {
				if p[j] == '\'' {
					if j+1 < len(p) && p[j+1] == '\'' {
						lit.WriteByte('\'')
						j++
						continue
					}
					break
				}
				lit.WriteByte(p[j])
			}
			if j >= len(p) {
				return "", fmt.Errorf("date pattern %q: unterminated quote", p)
			}
			if err := literalOK(p, lit.String()); err != nil {
				return "", err
			}
			b.WriteString(lit.String())
			i = j + 1
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(p) && p[j] == c {
				j++
			}
			n := j - i
			if c == 'S' {
				// Drop the separator written before the fraction: Go reads
				// ".123" after the seconds by itself.
				s := b.String()
				sep := len(s) > 0 && (s[len(s)-1] == '.' || s[len(s)-1] == ',')
				if !sep || !strings.HasSuffix(s[:len(s)-1], "5") {
					return "", fmt.Errorf("date pattern %q: fractions of a second (S) must follow the seconds and a '.' or ','", p)
				}
				b.Reset()
				b.WriteString(s[:len(s)-1])
				i = j
				continue
			}
			t, err := javaField(p, c, n)
			if err != nil {
				return "", err
			}
			b.WriteString(t)
			i = j
		default:
			if c >= '0' && c <= '9' {
				return "", fmt.Errorf("date pattern %q: a digit outside quotes", p)
			}
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), nil
}

func javaField(p string, c byte, n int) (string, error) {
	switch c {
	case 'y', 'Y':
		if n == 2 {
			return "06", nil
		}
		return "2006", nil
	case 'M', 'L':
		switch n {
		case 1:
			return "1", nil
		case 2:
			return "01", nil
		case 3:
			return "Jan", nil
		}
		return "January", nil
	case 'd':
		if n == 1 {
			return "2", nil
		}
		return "02", nil
	case 'D':
		if n == 3 {
			return "002", nil
		}
	case 'E':
		if n <= 3 {
			return "Mon", nil
		}
		return "Monday", nil
	case 'a':
		return "PM", nil
	case 'H':
		return "15", nil
	case 'h':
		if n == 1 {
			return "3", nil
		}
		return "03", nil
	case 'm':
		if n == 1 {
			return "4", nil
		}
		return "04", nil
	case 's':
		if n == 1 {
			return "5", nil
		}
		return "05", nil
	case 'z':
		return "MST", nil
	case 'Z':
		return "-0700", nil
	case 'X':
		switch n {
		case 1:
			return "Z07", nil
		case 2:
			return "Z0700", nil
		case 3:
			return "Z07:00", nil
		}
	}
	return "", fmt.Errorf("date pattern %q: %s has no Go layout", p, strings.Repeat(string(c), n))
}

// literalOK refuses quoted text that Go would read as a layout element.
func literalOK(p, lit string) error {
	for _, tok := range []string{"Jan", "Mon", "MST", "PM", "pm", "Z0", "-0", "+0", "_2", "__2"} {
		if strings.Contains(lit, tok) {
			return fmt.Errorf("date pattern %q: the literal %q would be read as a Go layout element", p, lit)
		}
	}
	if strings.ContainsAny(lit, "0123456789") {
		return fmt.Errorf("date pattern %q: the literal %q holds digits, which Go would read as a layout element", p, lit)
	}
	return nil
}
