// Strict offline validation of rendered Kubernetes manifests with the Kubernetes API's own Go
// types: every document on stdin is decoded as the apiserver decodes a request with
// fieldValidation=Strict, so an unknown or misspelt field, a duplicate field or a value of the
// wrong type is an error, and so is a kind this validator does not know (nothing passes
// unchecked). Prints one JSON line per document ({"kind","name","errors"}) and exits 1 when any
// document has errors. Used by test/deploy (built by test/deploy/install-tools.sh).
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// result is what the tests read for one document.
type result struct {
	Kind   string   `json:"kind"`
	Name   string   `json:"name"`
	Errors []string `json:"errors"`
}

func newScheme() (*runtime.Scheme, error) {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme, appsv1.AddToScheme, autoscalingv2.AddToScheme, batchv1.AddToScheme,
		networkingv1.AddToScheme, policyv1.AddToScheme, rbacv1.AddToScheme, gatewayv1.Install,
	} {
		if err := add(scheme); err != nil {
			return nil, err
		}
	}
	return scheme, nil
}

// identify reads kind and name without any schema, for the report.
func identify(doc []byte) (string, string) {
	var object unstructured.Unstructured
	if err := utilyaml.Unmarshal(doc, &object.Object); err != nil {
		return "", ""
	}
	return object.GetKind(), object.GetName()
}

func validate(decode runtime.Decoder, doc []byte) result {
	kind, name := identify(doc)
	res := result{Kind: kind, Name: name, Errors: []string{}}
	if _, _, err := decode.Decode(doc, nil, nil); err != nil {
		if strict, ok := runtime.AsStrictDecodingError(err); ok {
			for _, e := range strict.Errors() {
				res.Errors = append(res.Errors, e.Error())
			}
		} else {
			res.Errors = append(res.Errors, err.Error())
		}
	}
	return res
}

func run(in io.Reader, out io.Writer) (bool, error) {
	scheme, err := newScheme()
	if err != nil {
		return false, err
	}
	decode := serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDeserializer()
	reader := utilyaml.NewYAMLReader(bufio.NewReader(in))
	valid := true
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return valid, nil
		}
		if err != nil {
			return false, err
		}
		if strings.TrimSpace(strings.ReplaceAll(string(doc), "---", "")) == "" {
			continue
		}
		res := validate(decode, doc)
		valid = valid && len(res.Errors) == 0
		line, _ := json.Marshal(res)
		fmt.Fprintln(out, string(line))
	}
}

func main() {
	valid, err := run(os.Stdin, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if !valid {
		os.Exit(1)
	}
}
