package genesystest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// scimError is an error response in the SCIM shape (RFC 7644 §3.12).
type scimError struct {
	status   int
	scimType string
	detail   string
}

func badRequest(scimType, format string, args ...any) *scimError {
	return &scimError{status: http.StatusBadRequest, scimType: scimType, detail: fmt.Sprintf(format, args...)}
}

// patchRequest is ScimV2PatchRequest; the operations key is "Operations".
type patchRequest struct {
	Schemas    []string `json:"schemas"`
	Operations []struct {
		Op    string          `json:"op"`
		Path  string          `json:"path"`
		Value json.RawMessage `json:"value"`
	} `json:"Operations"`
}

func decodePatch(body []byte) (patchRequest, *scimError) {
	var req patchRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return req, badRequest("invalidSyntax", "request body is not a PatchOp message: %v", err)
	}
	if len(req.Operations) == 0 {
		return req, badRequest("invalidSyntax", "Operations is required and must not be empty")
	}
	for i, o := range req.Operations {
		switch strings.ToLower(o.Op) {
		case "add", "replace", "remove":
		default:
			return req, badRequest("invalidSyntax", "Operations[%d].op %q is not add, replace or remove", i, o.Op)
		}
	}
	return req, nil
}

// applier applies one operation to a resource; fromBody marks a POST or PUT
// body, where read-only and unknown attributes are ignored (RFC 7644
// §3.3, §3.5.1) instead of rejected.
type applier func(op string, pp patchPath, raw json.RawMessage, fromBody bool) *scimError

// applyPatch runs every operation in order. Path-less add and replace take
// an object whose keys are paths (RFC 7644 §3.5.2.1 and §3.5.2.3).
func applyPatch(req patchRequest, apply applier) *scimError {
	for i, o := range req.Operations {
		op := strings.ToLower(o.Op)
		if strings.TrimSpace(o.Path) == "" {
			if op == "remove" {
				return badRequest("noTarget", "Operations[%d]: remove requires a path", i)
			}
			obj, err := decodeObject(o.Value)
			if err != nil {
				return badRequest("invalidValue", "Operations[%d]: without a path, value must be an object", i)
			}
			for _, k := range sortedKeys(obj) {
				switch strings.ToLower(k) {
				case "id", "meta", "schemas":
					continue // echoed by IdPs; read-only
				}
				pp, perr := parsePatchPath(k)
				if perr != nil {
					return badRequest("invalidPath", "%v", perr)
				}
				if e := apply(op, pp, obj[k], false); e != nil {
					return e
				}
			}
			continue
		}
		pp, err := parsePatchPath(o.Path)
		if err != nil {
			return badRequest("invalidPath", "%v", err)
		}
		if op != "remove" && len(o.Value) == 0 {
			return badRequest("invalidValue", "Operations[%d]: %s requires a value", i, op)
		}
		if e := apply(op, pp, o.Value, false); e != nil {
			return e
		}
	}
	return nil
}

// applyBody applies each attribute of a POST or PUT body as a replace.
func applyBody(obj map[string]json.RawMessage, apply applier) *scimError {
	for _, k := range sortedKeys(obj) {
		pp, err := parsePatchPath(k)
		if err != nil || pp.filter != nil || pp.sub != "" {
			continue
		}
		if e := apply("replace", pp, obj[k], true); e != nil {
			return e
		}
	}
	return nil
}

// applyUser applies one operation to u, a working copy. Call with s.mu held.
func (s *Server) applyUser(u *User, op string, pp patchPath, raw json.RawMessage, fromBody bool) *scimError {
	if pp.whole {
		if op == "remove" {
			switch pp.ns {
			case nsCore:
				return badRequest("noTarget", "cannot remove the core schema %q", pp.raw)
			case nsEnterprise:
				u.Division, u.Department, u.ManagerID, u.EmployeeNumber, u.DateHire = defaultDivision, "", "", "", ""
			default:
				u.RoutingSkills, u.RoutingLanguages, u.ExternalIDs = nil, nil, nil
			}
			return nil
		}
		obj, err := decodeObject(raw)
		if err != nil {
			return badRequest("invalidValue", "%s must be an object", pp.raw)
		}
		for _, k := range sortedKeys(obj) {
			sub, perr := parsePatchPath(k)
			if perr != nil || sub.whole || sub.ns != nsCore {
				if fromBody {
					continue
				}
				return badRequest("invalidPath", "invalid attribute %q in %s", k, pp.raw)
			}
			sub.ns = pp.ns
			sub.raw = pp.raw + ":" + k
			if e := s.applyUser(u, op, sub, obj[k], fromBody); e != nil {
				return e
			}
		}
		return nil
	}

	simple := pp.filter == nil && pp.sub == ""
	unknown := func() *scimError {
		if fromBody {
			return nil
		}
		return badRequest("invalidPath", "no attribute %q", pp.raw)
	}
	readOnly := func() *scimError {
		if fromBody {
			return nil
		}
		return badRequest("mutability", "%s is read-only", pp.raw)
	}
	str := func(dst *string, required bool) *scimError {
		if !simple {
			return badRequest("invalidPath", "%q has no sub-attributes or values to filter", pp.raw)
		}
		if op == "remove" {
			if required {
				return badRequest("mutability", "%s is required and cannot be removed", pp.raw)
			}
			*dst = ""
			return nil
		}
		v, err := decodeString(raw)
		if err != nil {
			return badRequest("invalidValue", "%s: %v", pp.raw, err)
		}
		if required && v == "" {
			return badRequest("invalidValue", "%s is required", pp.raw)
		}
		*dst = v
		return nil
	}

	switch pp.ns {
	case nsCore:
		switch pp.attr {
		case "username":
			return str(&u.UserName, true)
		case "displayname":
			return str(&u.DisplayName, true)
		case "title":
			return str(&u.Title, false)
		case "externalid":
			return str(&u.ExternalID, false)
		case "password":
			var discard string
			return str(&discard, false) // write-only; never stored or returned
		case "active":
			if !simple {
				return badRequest("invalidPath", "%q has no sub-attributes", pp.raw)
			}
			if op == "remove" {
				u.Active = false
				return nil
			}
			b, err := decodeBool(raw)
			if err != nil {
				return badRequest("invalidValue", "active: %v", err)
			}
			u.Active = b
			return nil
		case "emails":
			list, e := applyContacts(emailsToContacts(u.Emails), op, pp, raw)
			if e == nil {
				u.Emails = contactsToEmails(list)
			}
			return e
		case "phonenumbers":
			list, e := applyContacts(phonesToContacts(u.PhoneNumbers), op, pp, raw)
			if e == nil {
				u.PhoneNumbers = contactsToPhones(list)
			}
			return e
		case "roles":
			list, e := applyRoles(u.Roles, op, pp, raw)
			if e == nil {
				u.Roles = list
			}
			return e
		case "groups":
			if fromBody {
				return nil
			}
			return badRequest("mutability", "groups is read-only on a user; change membership through /groups")
		case "id", "meta":
			return readOnly()
		case "schemas":
			return nil
		}
		return unknown()
	case nsEnterprise:
		switch pp.attr {
		case "division":
			if e := str(&u.Division, false); e != nil {
				return e
			}
			if u.Division == "" {
				u.Division = defaultDivision // every Genesys user has a division
			}
			return nil
		case "department":
			return str(&u.Department, false)
		case "employeenumber":
			return str(&u.EmployeeNumber, false)
		case "datehire":
			return str(&u.DateHire, false)
		case "manager":
			return applyManager(&u.ManagerID, op, pp, raw)
		}
		return unknown()
	case nsGenesys:
		switch pp.attr {
		case "routingskills":
			list, e := applyProficiencies(u.RoutingSkills, op, pp, raw)
			if e == nil {
				u.RoutingSkills = list
			}
			return e
		case "routinglanguages":
			list, e := applyProficiencies(u.RoutingLanguages, op, pp, raw)
			if e == nil {
				u.RoutingLanguages = list
			}
			return e
		case "externalids":
			list, e := applyExternalIDs(u.ExternalIDs, op, pp, raw)
			if e == nil {
				u.ExternalIDs = list
			}
			return e
		}
		return unknown()
	}
	return unknown()
}

func applyManager(dst *string, op string, pp patchPath, raw json.RawMessage) *scimError {
	if pp.filter != nil || (pp.sub != "" && pp.sub != "value") {
		return badRequest("invalidPath", "invalid path %q", pp.raw)
	}
	if op == "remove" || isNull(raw) {
		*dst = ""
		return nil
	}
	// Accept {"value": id} or a bare id, as Microsoft Entra ID sends it.
	if pp.sub == "" {
		if obj, err := decodeObject(raw); err == nil {
			v, ok := lookup(obj, "value")
			if !ok {
				*dst = ""
				return nil
			}
			raw = v
		}
	}
	id, err := decodeString(raw)
	if err != nil {
		return badRequest("invalidValue", "manager: %v", err)
	}
	*dst = id
	return nil
}

// applyContacts implements emails[] and phoneNumbers[]. Genesys keeps one
// address per type, so adding one of an existing type replaces it.
func applyContacts(list []contact, op string, pp patchPath, raw json.RawMessage) ([]contact, *scimError) {
	primary := -1 // index made primary by this operation
	switch {
	case pp.filter == nil && pp.sub == "":
		if op == "remove" {
			if len(raw) == 0 || isNull(raw) {
				return nil, nil
			}
			items, e := decodeContacts(raw, pp.raw)
			if e != nil {
				return nil, e
			}
			return slices.DeleteFunc(list, func(c contact) bool {
				for _, it := range items {
					if strings.EqualFold(c.Value, it.Value) && (it.Type == "" || strings.EqualFold(c.Type, it.Type)) {
						return true
					}
				}
				return false
			}), nil
		}
		items, e := decodeContacts(raw, pp.raw)
		if e != nil {
			return nil, e
		}
		if op == "replace" {
			list = nil
		}
		for _, it := range items {
			var i int
			list, i = upsertContact(list, it)
			if it.Primary {
				primary = i
			}
		}
	case pp.filter != nil:
		var matches []int
		for i, c := range list {
			if matchElem(pp.filter, contactElems([]contact{c})[0], false) {
				matches = append(matches, i)
			}
		}
		if op == "remove" {
			if pp.sub == "" || pp.sub == "value" {
				return deleteIndexes(list, matches), nil
			}
			for _, i := range matches {
				if e := setContactSub(&list[i], pp.sub, nil, pp.raw); e != nil {
					return nil, e
				}
			}
			return list, nil
		}
		if len(matches) == 0 {
			seed, onType := contactFromFilter(pp.filter)
			if op == "replace" && !onType {
				return nil, badRequest("noTarget", "no value matches %q", pp.raw)
			}
			list = append(list, seed)
			matches = []int{len(list) - 1}
		}
		for _, i := range matches {
			var e *scimError
			if pp.sub == "" {
				e = mergeContact(&list[i], raw, pp.raw)
			} else {
				e = setContactSub(&list[i], pp.sub, raw, pp.raw)
			}
			if e != nil {
				return nil, e
			}
			if list[i].Primary {
				primary = i
			}
		}
	default: // sub-attribute of every value, e.g. emails.value
		if op == "remove" {
			if pp.sub == "value" {
				return nil, nil
			}
			for i := range list {
				if e := setContactSub(&list[i], pp.sub, nil, pp.raw); e != nil {
					return nil, e
				}
			}
			return list, nil
		}
		if len(list) == 0 {
			list = append(list, contact{})
		}
		for i := range list {
			if e := setContactSub(&list[i], pp.sub, raw, pp.raw); e != nil {
				return nil, e
			}
		}
	}
	// RFC 7643 §2.4: at most one value may be primary.
	if primary >= 0 {
		for i := range list {
			list[i].Primary = i == primary
		}
	}
	return list, nil
}

func upsertContact(list []contact, c contact) ([]contact, int) {
	for i, have := range list {
		if (c.Type != "" && strings.EqualFold(have.Type, c.Type)) ||
			(c.Type == "" && strings.EqualFold(have.Value, c.Value)) {
			list[i] = c
			return list, i
		}
	}
	return append(list, c), len(list)
}

// contactFromFilter builds the value a type filter implies, and reports
// whether the filter names a type (the only case that creates on replace).
func contactFromFilter(f []term) (contact, bool) {
	var c contact
	onType := false
	for _, t := range f {
		switch strings.ToLower(t.path) {
		case "type":
			c.Type, onType = t.value, true
		case "value":
			c.Value = t.value
		case "primary":
			c.Primary, _ = parseBoolString(t.value)
		}
	}
	return c, onType
}

func decodeContacts(raw json.RawMessage, path string) ([]contact, *scimError) {
	var out []contact
	for _, item := range asArray(raw) {
		var c contact
		if e := mergeContact(&c, item, path); e != nil {
			return nil, e
		}
		out = append(out, c)
	}
	return out, nil
}

func mergeContact(c *contact, raw json.RawMessage, path string) *scimError {
	obj, err := decodeObject(raw)
	if err != nil {
		return badRequest("invalidValue", "%s: each value must be an object", path)
	}
	for _, k := range sortedKeys(obj) {
		switch strings.ToLower(k) {
		case "value", "type", "primary":
			if e := setContactSub(c, strings.ToLower(k), obj[k], path); e != nil {
				return e
			}
		}
	}
	return nil
}

// setContactSub sets one sub-attribute; raw nil clears it.
func setContactSub(c *contact, sub string, raw json.RawMessage, path string) *scimError {
	switch sub {
	case "value", "type":
		v := ""
		if raw != nil {
			s, err := decodeString(raw)
			if err != nil {
				return badRequest("invalidValue", "%s: %v", path, err)
			}
			v = s
		}
		if sub == "value" {
			c.Value = v
		} else {
			c.Type = v
		}
	case "primary":
		b := false
		if raw != nil {
			v, err := decodeBool(raw)
			if err != nil {
				return badRequest("invalidValue", "%s: %v", path, err)
			}
			b = v
		}
		c.Primary = b
	case "display":
	default:
		return badRequest("invalidPath", "no sub-attribute %q in %q", sub, path)
	}
	return nil
}

func applyRoles(list []string, op string, pp patchPath, raw json.RawMessage) ([]string, *scimError) {
	if pp.sub != "" && pp.filter == nil {
		return nil, badRequest("invalidPath", "invalid path %q", pp.raw)
	}
	var values []string
	hasValue := len(raw) > 0 && !isNull(raw)
	if op != "remove" || hasValue {
		v, e := decodeValues(raw, pp.raw, pp.sub == "value")
		if e != nil {
			return nil, e
		}
		values = v
	}
	if pp.filter != nil {
		matched := func(r string) bool { return matchElem(pp.filter, elem{"value": r}, false) }
		found := slices.ContainsFunc(list, matched)
		switch op {
		case "remove":
			return slices.DeleteFunc(slices.Clone(list), matched), nil
		case "replace":
			if !found {
				return nil, badRequest("noTarget", "no role matches %q", pp.raw)
			}
			list = slices.DeleteFunc(slices.Clone(list), matched)
		}
		return unionFold(list, values), nil
	}
	switch op {
	case "replace":
		return unionFold(nil, values), nil
	case "add":
		return unionFold(list, values), nil
	}
	if !hasValue {
		return nil, nil // remove without a value clears the attribute
	}
	return slices.DeleteFunc(slices.Clone(list), func(r string) bool {
		return slices.ContainsFunc(values, func(v string) bool { return strings.EqualFold(v, r) })
	}), nil
}

// decodeValues reads [{"value":x},...], a single {"value":x}, or bare
// strings, the shapes IdPs send for roles and members.
func decodeValues(raw json.RawMessage, path string, bare bool) ([]string, *scimError) {
	var out []string
	for _, item := range asArray(raw) {
		if bare || !isObject(item) {
			s, err := decodeString(item)
			if err != nil {
				return nil, badRequest("invalidValue", "%s: %v", path, err)
			}
			out = append(out, s)
			continue
		}
		obj, _ := decodeObject(item)
		v, ok := lookup(obj, "value")
		if !ok {
			return nil, badRequest("invalidValue", "%s: each value needs a \"value\"", path)
		}
		s, err := decodeString(v)
		if err != nil {
			return nil, badRequest("invalidValue", "%s: %v", path, err)
		}
		out = append(out, s)
	}
	return out, nil
}

func unionFold(list, add []string) []string {
	out := slices.Clone(list)
	for _, v := range add {
		if v != "" && !slices.ContainsFunc(out, func(x string) bool { return strings.EqualFold(x, v) }) {
			out = append(out, v)
		}
	}
	return out
}

// applyProficiencies implements routingSkills[] and routingLanguages[],
// keyed by the case-sensitive name.
func applyProficiencies(list []Proficiency, op string, pp patchPath, raw json.RawMessage) ([]Proficiency, *scimError) {
	list = slices.Clone(list)
	switch {
	case pp.filter == nil && pp.sub == "":
		if op == "remove" {
			if len(raw) == 0 || isNull(raw) {
				return nil, nil
			}
			items, e := decodeProficiencies(raw, pp.raw)
			if e != nil {
				return nil, e
			}
			return slices.DeleteFunc(list, func(p Proficiency) bool {
				return slices.ContainsFunc(items, func(it Proficiency) bool { return it.Name == p.Name })
			}), nil
		}
		items, e := decodeProficiencies(raw, pp.raw)
		if e != nil {
			return nil, e
		}
		if op == "replace" {
			list = nil
		}
		for _, it := range items {
			list = upsertProficiency(list, it)
		}
	case pp.filter != nil:
		var matches []int
		for i, p := range list {
			if matchElem(pp.filter, elem{"name": p.Name, "proficiency": formatFloat(p.Proficiency)}, false) {
				matches = append(matches, i)
			}
		}
		if op == "remove" {
			return deleteIndexes(list, matches), nil
		}
		if len(matches) == 0 {
			var seed Proficiency
			for _, t := range pp.filter {
				if strings.EqualFold(t.path, "name") {
					seed.Name = t.value
				}
			}
			if seed.Name == "" {
				return nil, badRequest("noTarget", "no value matches %q", pp.raw)
			}
			list = append(list, seed)
			matches = []int{len(list) - 1}
		}
		for _, i := range matches {
			if e := setProficiency(&list[i], pp.sub, raw, pp.raw); e != nil {
				return nil, e
			}
		}
	default:
		return nil, badRequest("invalidPath", "invalid path %q", pp.raw)
	}
	if len(list) > 50 {
		return nil, badRequest("invalidValue", "%s: at most 50 values", pp.raw)
	}
	for _, p := range list {
		if p.Name == "" {
			return nil, badRequest("invalidValue", "%s: name is required", pp.raw)
		}
		if p.Proficiency < 0 || p.Proficiency > 5 {
			return nil, badRequest("invalidValue", "%s: proficiency %v is outside 0 to 5", pp.raw, p.Proficiency)
		}
	}
	if len(list) == 0 {
		return nil, nil
	}
	return list, nil
}

func upsertProficiency(list []Proficiency, p Proficiency) []Proficiency {
	for i := range list {
		if list[i].Name == p.Name {
			list[i] = p
			return list
		}
	}
	return append(list, p)
}

func decodeProficiencies(raw json.RawMessage, path string) ([]Proficiency, *scimError) {
	var out []Proficiency
	for _, item := range asArray(raw) {
		var p Proficiency
		if e := setProficiency(&p, "", item, path); e != nil {
			return nil, e
		}
		out = append(out, p)
	}
	return out, nil
}

// setProficiency merges an object (sub "") or sets name or proficiency.
func setProficiency(p *Proficiency, sub string, raw json.RawMessage, path string) *scimError {
	switch sub {
	case "":
		obj, err := decodeObject(raw)
		if err != nil {
			return badRequest("invalidValue", "%s: each value must be an object", path)
		}
		for _, k := range sortedKeys(obj) {
			switch strings.ToLower(k) {
			case "name", "proficiency":
				if e := setProficiency(p, strings.ToLower(k), obj[k], path); e != nil {
					return e
				}
			}
		}
	case "name":
		s, err := decodeString(raw)
		if err != nil {
			return badRequest("invalidValue", "%s: %v", path, err)
		}
		p.Name = s
	case "proficiency":
		f, err := decodeNumber(raw)
		if err != nil {
			return badRequest("invalidValue", "%s: %v", path, err)
		}
		p.Proficiency = f
	default:
		return badRequest("invalidPath", "no sub-attribute %q in %q", sub, path)
	}
	return nil
}

// applyExternalIDs implements the Genesys externalIds[], keyed by
// authority. Values under the SCIM authority are derived and immutable, so
// they are skipped on input.
func applyExternalIDs(list []ExternalID, op string, pp patchPath, raw json.RawMessage) ([]ExternalID, *scimError) {
	list = slices.Clone(list)
	if pp.sub != "" && pp.filter == nil {
		return nil, badRequest("invalidPath", "invalid path %q", pp.raw)
	}
	var items []ExternalID
	hasValue := len(raw) > 0 && !isNull(raw)
	if op != "remove" || hasValue {
		for _, item := range asArray(raw) {
			var x ExternalID
			obj, err := decodeObject(item)
			if err != nil {
				if pp.sub != "" {
					obj = map[string]json.RawMessage{pp.sub: item}
				} else {
					return nil, badRequest("invalidValue", "%s: each value must be an object", pp.raw)
				}
			}
			for _, k := range sortedKeys(obj) {
				s, err := decodeString(obj[k])
				if err != nil {
					return nil, badRequest("invalidValue", "%s: %v", pp.raw, err)
				}
				switch strings.ToLower(k) {
				case "authority":
					x.Authority = s
				case "value":
					x.Value = s
				}
			}
			items = append(items, x)
		}
	}
	upsert := func(list []ExternalID, x ExternalID) []ExternalID {
		if strings.HasPrefix(x.Authority, scimAuthority) {
			return list
		}
		for i := range list {
			if list[i].Authority == x.Authority {
				list[i] = x
				return list
			}
		}
		return append(list, x)
	}
	if pp.filter != nil {
		var matches []int
		for i, x := range list {
			if matchElem(pp.filter, elem{"authority": x.Authority, "value": x.Value}, true) {
				matches = append(matches, i)
			}
		}
		if op == "remove" {
			return deleteIndexes(list, matches), nil
		}
		var seed ExternalID
		for _, t := range pp.filter {
			switch strings.ToLower(t.path) {
			case "authority":
				seed.Authority = t.value
			case "value":
				seed.Value = t.value
			}
		}
		if len(matches) == 0 && seed.Authority == "" {
			return nil, badRequest("noTarget", "no value matches %q", pp.raw)
		}
		for _, it := range items {
			if it.Authority == "" {
				it.Authority = seed.Authority
			}
			list = upsert(list, it)
		}
		return list, nil
	}
	switch op {
	case "replace":
		list = nil
		fallthrough
	case "add":
		for _, it := range items {
			list = upsert(list, it)
		}
		return list, nil
	}
	if !hasValue {
		return nil, nil
	}
	return slices.DeleteFunc(list, func(x ExternalID) bool {
		return slices.ContainsFunc(items, func(it ExternalID) bool {
			return it.Authority == x.Authority && (it.Value == "" || it.Value == x.Value)
		})
	}), nil
}

func deleteIndexes[T any](list []T, idx []int) []T {
	out := list[:0:0]
	for i, v := range list {
		if !slices.Contains(idx, i) {
			out = append(out, v)
		}
	}
	return out
}

// JSON helpers.

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

func isObject(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && t[0] == '{'
}

// asArray returns the elements of a JSON array, a lone value as a
// one-element list, and nothing for null.
func asArray(raw json.RawMessage) []json.RawMessage {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || string(t) == "null" {
		return nil
	}
	if t[0] == '[' {
		var items []json.RawMessage
		if json.Unmarshal(t, &items) == nil {
			return items
		}
	}
	return []json.RawMessage{t}
}

func decodeObject(raw json.RawMessage) (map[string]json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if !isObject(raw) {
		return nil, fmt.Errorf("not an object")
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, err
	}
	return obj, nil
}

// lookup finds a key case-insensitively: SCIM attribute names are
// case-insensitive (RFC 7643 §2.1).
func lookup(obj map[string]json.RawMessage, key string) (json.RawMessage, bool) {
	for _, k := range sortedKeys(obj) {
		if strings.EqualFold(k, key) {
			return obj[k], true
		}
	}
	return nil, false
}

// decodeString accepts a string, null (as ""), or a number (kept as its
// literal text, for attributes such as employeeNumber).
func decodeString(raw json.RawMessage) (string, error) {
	t := bytes.TrimSpace(raw)
	if string(t) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(t, &s); err == nil {
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(t, &n); err == nil && len(t) > 0 && t[0] != '"' {
		return n.String(), nil
	}
	return "", fmt.Errorf("expected a string, got %s", truncate(string(t)))
}

func decodeBool(raw json.RawMessage) (bool, error) {
	var b bool
	if err := json.Unmarshal(raw, &b); err == nil {
		return b, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if v, ok := parseBoolString(s); ok {
			return v, nil
		}
	}
	return false, fmt.Errorf("expected a boolean, got %s", truncate(string(raw)))
}

func decodeNumber(raw json.RawMessage) (float64, error) {
	var f float64
	if err := json.Unmarshal(raw, &f); err == nil {
		return f, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if v, err := strconv.ParseFloat(s, 64); err == nil {
			return v, nil
		}
	}
	return 0, fmt.Errorf("expected a number, got %s", truncate(string(raw)))
}

func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
