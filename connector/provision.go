package connector

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"

	"github.com/restconn/restconn/binding"
	"github.com/restconn/restconn/internal/record"
	"github.com/restconn/restconn/internal/redact"
	"github.com/restconn/restconn/internal/vars"
	"github.com/restconn/restconn/template"
)

// Connect implements Connector: it obtains the default auth block's token
// (oauth2, session) and runs the spec's connect calls.
func (e *Engine) Connect(ctx context.Context) error {
	ctx = e.opCtx(ctx)
	if cr := e.creds[e.c.defaultAuth]; cr.refreshable() {
		if _, _, err := cr.token(ctx); err != nil {
			return e.asError(opConnect, "", err)
		}
	}
	if len(e.c.connect) == 0 {
		return nil
	}
	v := e.baseVars()
	v.Responses = map[string]any{}
	return e.chain(ctx, opConnect, e.c.connect, v.Map(), e.scoped(e.red))
}

// Provision implements Connector.
func (e *Engine) Provision(ctx context.Context, req Request) (Result, error) {
	ctx = e.opCtx(ctx)
	co, err := e.operation(req)
	if err != nil {
		return Result{}, err
	}
	red := e.scoped(e.red)
	if req.Password != "" {
		red = e.red.With(req.Password)
	}
	v := e.requestVars(req)
	if co.ticket != nil {
		return e.fileTicket(ctx, req, co.ticket, v, red)
	}
	data := v.Map()
	if err := e.chain(ctx, req.Op, co.calls, data, red); err != nil {
		return Result{}, err
	}
	res := Result{Attributes: map[string]any{}, Unchanged: sentNoWrite(co.calls, data)}
	if co.accountID != nil {
		id, err := co.accountID.RenderContext(ctx, data)
		if err != nil {
			return Result{}, e.renderError(red, req.Op, "", err)
		}
		res.AccountID = id
	}
	for _, nt := range co.attributes {
		v, err := nt.t.ValueContext(ctx, data)
		if err != nil {
			return Result{}, e.renderError(red, req.Op, "", err)
		}
		if v != template.Omitted {
			res.Attributes[nt.name] = record.Normalize(v)
		}
	}
	return res, nil
}

// operation returns how the spec carries out req: the operation's own, or
// for AddAccess and RemoveAccess the one of the entitlement's type.
func (e *Engine) operation(req Request) (*compiledOp, error) {
	co := e.c.ops[req.Op]
	if co == nil {
		return nil, &Error{Op: req.Op, Message: fmt.Sprintf("operation %q is not in the spec", req.Op), Err: ErrUnsupported}
	}
	if req.Op == AddAccess || req.Op == RemoveAccess {
		if req.Entitlement == nil {
			return nil, &Error{Op: req.Op, Message: "Request.Entitlement is required"}
		}
		if t, ok := co.types[req.Entitlement.Type]; ok {
			co = t
		} else if co.calls == nil && co.ticket == nil {
			return nil, &Error{Op: req.Op, Message: fmt.Sprintf("entitlement type %q has no %s in the spec (have %s)", req.Entitlement.Type, req.Op, list(slices.Sorted(maps.Keys(co.types)))), Err: ErrUnsupported}
		}
	}
	return co, nil
}

// sentNoWrite reports whether a chain that has writing calls (POST, PUT,
// PATCH, DELETE) ran without sending any: each was skipped by its if, or
// ran its forEach over an empty list. Either way its response is bound as
// null, and a call that was sent always has a response.
func sentNoWrite(calls []*compiledCall, data map[string]any) bool {
	responses := data["responses"].(map[string]any)
	writes := false
	for _, cc := range calls {
		switch cc.method {
		case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
			if responses[cc.name] != nil {
				return false
			}
			writes = true
		}
	}
	return writes
}

// renderError reports a template that failed to render during an
// operation, masked with the operation's redactor.
func (e *Engine) renderError(red *redact.Redactor, op Operation, call string, err error) *Error {
	return maskWith(red, e.templateError(op, call, err))
}

func (e *Engine) requestVars(req Request) *vars.Vars {
	v := e.baseVars()
	v.User, v.Account, v.Task = req.User, req.Account, req.Task
	v.Password = binding.Secret(req.Password)
	v.Op = string(req.Op)
	v.Responses = map[string]any{}
	if ent := req.Entitlement; ent != nil {
		v.Entitlement = map[string]any{"type": ent.Type, "id": ent.ID, "name": ent.Name, "attributes": orEmpty(ent.Attributes), "members": ent.Members}
	}
	return v
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
