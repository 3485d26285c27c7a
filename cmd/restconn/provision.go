package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/restconn/restconn/connector"
)

func (a *app) provisionCmd() *cobra.Command {
	var tf *targetFlags
	var reqFile string
	cmd := &cobra.Command{
		Use:   "provision --request REQ.json",
		Short: "Carry out one provisioning request and print the Result as JSON",
		Long: `Provision carries out the request in a file: a connector.Request as JSON,
whose "op" names the operation (` + opList() + `).

  {
    "op": "addAccess",
    "user": {"email": "ann@example.com"},
    "account": {"id": "991267390"},
    "entitlement": {"type": "team", "id": "814865", "name": "Billing"},
    "task": {"id": "REQ-17", "requestor": "lead@example.com"},
    "password": "..."
  }

"user", "account" and "task" are free-form objects the spec's templates read
as .user, .account and .task; "password" (for createAccount and
changePassword) is read but never printed, logged or traced. Unknown keys are
errors. Use "-" to read the request from stdin.

The Result is printed as JSON: {"accountID": ..., "attributes": {...},
"ticket": {"id", "number", "state", "status"}}, each part only when the
operation produced it. When the operation is fulfilled through a ticket,
follow it with 'restconn ticket status|await|comment|cancel ID'. To see what
an operation would send without sending it, use 'restconn plan'.`,
		Example: `  restconn provision --preset intercom --param baseURL=http://127.0.0.1:8080 --param ticketTypeID=1 --request add-team.json
  echo '{"op":"disableAccount","account":{"id":"42"}}' | restconn provision --spec myapp.json --request -`,
		Args: exactArgs(),
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			if reqFile == "" {
				return usageErrorf("--request FILE is required (the request as JSON, or - for stdin)")
			}
			req, err := readRequest(reqFile, a.stdin)
			if err != nil {
				return err
			}
			s, err := tf.open(cmd.Context(), nil)
			if err != nil {
				return err
			}
			res, err := s.eng.Provision(s.ctx, req)
			if err := s.finish(err); err != nil {
				return err
			}
			return writeJSON(a.stdout, res)
		}),
	}
	tf = a.addTargetFlags(cmd)
	cmd.Flags().StringVar(&reqFile, "request", "", "the request `FILE` (JSON; - for stdin)")
	_ = cmd.MarkFlagFilename("request", "json")
	return cmd
}

func opList() string {
	var names []string
	for _, op := range connector.Operations {
		names = append(names, string(op))
	}
	return strings.Join(names, ", ")
}

// readRequest reads a request file strictly; it must name its operation.
func readRequest(path string, stdin io.Reader) (connector.Request, error) {
	req, err := decodeRequest(path, stdin)
	if err != nil {
		return req, err
	}
	if req.Op == "" {
		return req, badInput(fmt.Errorf("%s: op: missing: the operation to carry out (%s)", inputName(path), opList()))
	}
	return req, checkEntitlement(path, req.Op, req)
}

// checkEntitlement reports an access request without its entitlement in
// the request file's terms (the library's are Go's: Request.Entitlement).
func checkEntitlement(path string, op connector.Operation, req connector.Request) error {
	if (op != connector.AddAccess && op != connector.RemoveAccess) || req.Entitlement != nil {
		return nil
	}
	if path == "" {
		return usageErrorf("--op %s needs --request FILE with an \"entitlement\": {\"type\", \"id\", \"name\"}", op)
	}
	return badInput(fmt.Errorf("%s: entitlement: missing: %s needs {\"type\", \"id\", \"name\"}", inputName(path), op))
}

// readInput reads a file the command is given, or stdin for "-".
func readInput(path string, stdin io.Reader) ([]byte, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, badInput(err)
	}
	return data, nil
}

// inputName names a file given on the command line in messages.
func inputName(path string) string {
	if path == "-" {
		return "stdin"
	}
	return path
}

// decodeRequest reads a request file strictly; its op may be empty.
func decodeRequest(path string, stdin io.Reader) (connector.Request, error) {
	data, err := readInput(path, stdin)
	if err != nil {
		return connector.Request{}, err
	}
	path = inputName(path)
	var req connector.Request
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&req); err != nil {
		var ce *connector.Error
		if errors.As(err, &ce) && ce.Path != "" {
			return req, badInput(fmt.Errorf("%s: %s: %s", path, ce.Path, ce.Message))
		}
		if errors.As(err, &ce) {
			return req, badInput(fmt.Errorf("%s: %s", path, ce.Message))
		}
		return req, badInput(fmt.Errorf("%s: not a JSON request object: %v", path, err))
	}
	if dec.More() {
		return req, badInput(fmt.Errorf("%s: trailing data after the request object", path))
	}
	return req, nil
}
