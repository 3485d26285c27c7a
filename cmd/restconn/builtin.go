package main

import (
	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/providers/genesys"
	"github.com/restconn/restconn/providers/intercom"
	"github.com/restconn/restconn/providers/okta"
	"github.com/restconn/restconn/providers/otrs"
)

// builtin is a preset shipped with restconn: its spec, used like a spec
// file (--preset NAME is --spec with the embedded JSON), and its fake.
type builtin struct {
	name string
	spec func() *connector.Spec
	fake fakeStarter
}

// builtins lists the presets in the order "restconn presets" shows them.
var builtins = []builtin{
	{name: "intercom", spec: intercom.Spec, fake: startIntercom},
	{name: "genesys", spec: genesys.Spec, fake: startGenesys},
	{name: "otrs", spec: otrs.Spec, fake: startOTRS},
	{name: "okta", spec: okta.Spec, fake: startOkta},
}

func builtinByName(name string) (builtin, bool) {
	for _, b := range builtins {
		if b.name == name {
			return b, true
		}
	}
	return builtin{}, false
}

func builtinNames() []string {
	var names []string
	for _, b := range builtins {
		names = append(names, b.name)
	}
	return names
}
