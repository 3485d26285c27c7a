// Command restconn-saviynt converts a Saviynt REST connection into a
// restconn connector spec: it writes the spec and prints what was
// approximated or left out.
//
//	go run ./connector/saviynt/cmd/restconn-saviynt [-o spec.json] connection.json
//
// connection.json is a JSON object of the connection's attributes
// (ConnectionJSON, ImportAccountEntJSON, CreateAccountJSON, ...), each the
// attribute's JSON text or the JSON itself; Terraform's snake_case names
// (connection_json, ...) are accepted too. The spec goes to standard output
// (or -o), the warnings to standard error. Credentials found in the
// connection are declared as secrets of the spec: pass them with
// connector.WithSecrets.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/restconn/restconn/connector/saviynt"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("restconn-saviynt", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "write the spec to this file instead of standard output")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: restconn-saviynt [-o spec.json] connection.json")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	var conn saviynt.Connection
	if err := json.Unmarshal(data, &conn); err != nil {
		fmt.Fprintf(stderr, "%s: want a JSON object of connection attributes: %v\n", fs.Arg(0), err)
		return 1
	}
	spec, warnings, err := saviynt.Convert(conn)
	for _, w := range warnings {
		fmt.Fprintln(stderr, "warning:", w)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	b, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	b = append(b, '\n')
	if *out == "" {
		_, err = stdout.Write(b)
	} else {
		err = os.WriteFile(*out, b, 0o644)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stderr, "%d warnings; declared secrets: %d\n", len(warnings), len(spec.Secrets))
	return 0
}
