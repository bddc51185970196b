package deploy_test

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"
	kjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// scheme knows every kind the example may contain; a kind outside it fails
// the test rather than going unchecked.
func scheme(t *testing.T) *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme, appsv1.AddToScheme, policyv1.AddToScheme,
		autoscalingv2.AddToScheme, networkingv1.AddToScheme,
	} {
		require.NoError(t, add(s))
	}
	return s
}

// decoded is one object of a kustomize build: its API type, or why strict
// decoding refused it.
type decoded struct {
	kind, name string
	obj        runtime.Object
	err        error
}

// build runs kustomize on dir as `kubectl apply -k` would and strict-decodes
// every object into its Kubernetes API type: an unknown or misspelt field, a
// duplicate field or a wrongly typed value is an error, as the API server's
// strict field validation would refuse it. This stands in for kubeconform,
// whose JSON schemas cannot be fetched here.
func build(t *testing.T, dir string) []decoded {
	t.Helper()
	res, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	require.NoError(t, err, "kustomize build")
	sch := scheme(t)
	strict := kjson.NewSerializerWithOptions(kjson.DefaultMetaFactory, sch, sch, kjson.SerializerOptions{Strict: true})
	var out []decoded
	for _, r := range res.Resources() {
		raw, err := r.MarshalJSON()
		require.NoError(t, err)
		obj, _, err := strict.Decode(raw, nil, nil)
		out = append(out, decoded{kind: r.GetKind(), name: r.GetName(), obj: obj, err: err})
	}
	return out
}

// manifests is the example, every object of which must decode.
func manifests(t *testing.T) map[string]runtime.Object {
	t.Helper()
	objs := map[string]runtime.Object{}
	for _, d := range build(t, "kubernetes") {
		require.NoError(t, d.err, "%s %s", d.kind, d.name)
		objs[d.kind+"/"+d.name] = d.obj
	}
	return objs
}

func TestKubernetesManifests(t *testing.T) {
	objs := manifests(t)
	get := func(kind, name string) runtime.Object {
		t.Helper()
		o, ok := objs[kind+"/"+name]
		require.True(t, ok, "no %s %s among %v", kind, name, keys(objs))
		return o
	}
	dep := get("Deployment", "lmsproxy").(*appsv1.Deployment)
	pod := dep.Spec.Template.Spec
	require.Len(t, pod.Containers, 1)
	c := pod.Containers[0]
	ports := map[string]int32{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}

	var config *corev1.ConfigMap
	for key, o := range objs {
		if strings.HasPrefix(key, "ConfigMap/lmsproxy-config-") {
			config = o.(*corev1.ConfigMap)
		}
	}
	require.NotNil(t, config, "the ConfigMap is generated with a content hash in its name")

	t.Run("dedicated service account without a token", func(t *testing.T) {
		sa := get("ServiceAccount", "lmsproxy").(*corev1.ServiceAccount)
		assert.Equal(t, "lmsproxy", pod.ServiceAccountName)
		require.NotNil(t, sa.AutomountServiceAccountToken)
		assert.False(t, *sa.AutomountServiceAccountToken)
	})
	t.Run("config change rolls the pods", func(t *testing.T) {
		var refs []string
		for _, e := range c.EnvFrom {
			if e.ConfigMapRef != nil {
				refs = append(refs, e.ConfigMapRef.Name)
			}
		}
		assert.Equal(t, []string{config.Name}, refs, "the pod template names the hashed ConfigMap")
	})
	t.Run("ports match the configuration", func(t *testing.T) {
		for name, setting := range map[string]string{"http": "LMSPROXY_LISTEN", "admin": "LMSPROXY_ADMIN_LISTEN"} {
			_, port, err := net.SplitHostPort(config.Data[setting])
			require.NoError(t, err, setting)
			assert.Equal(t, port, fmt.Sprint(ports[name]), "container port %s vs %s", name, setting)
		}
		assert.Equal(t, fmt.Sprint(ports["admin"]), dep.Spec.Template.Annotations["prometheus.io/port"])
	})
	t.Run("operations on the admin port only", func(t *testing.T) {
		for name, probe := range map[string]*corev1.Probe{"startup": c.StartupProbe, "liveness": c.LivenessProbe, "readiness": c.ReadinessProbe} {
			require.NotNil(t, probe, name)
			assert.Equal(t, intstr.FromString("admin"), probe.HTTPGet.Port, name)
		}
		svc := get("Service", "lmsproxy").(*corev1.Service)
		for _, p := range svc.Spec.Ports {
			assert.NotEqual(t, intstr.FromString("admin"), p.TargetPort)
			assert.NotEqual(t, intstr.FromInt32(ports["admin"]), p.TargetPort)
		}
		assert.Equal(t, []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromString("http"), Protocol: ""}}, svc.Spec.Ports)
	})
	t.Run("network policy: partners in, upstream and issuer out", func(t *testing.T) {
		np := get("NetworkPolicy", "lmsproxy").(*networkingv1.NetworkPolicy)
		assert.Equal(t, dep.Spec.Selector.MatchLabels, np.Spec.PodSelector.MatchLabels)
		assert.ElementsMatch(t, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}, np.Spec.PolicyTypes)
		var in []string
		for _, r := range np.Spec.Ingress {
			for _, p := range r.Ports {
				in = append(in, p.Port.String())
			}
		}
		assert.ElementsMatch(t, []string{"http", "admin"}, in)
		var out []string
		for _, r := range np.Spec.Egress {
			for _, p := range r.Ports {
				out = append(out, fmt.Sprintf("%s/%s", *p.Protocol, p.Port))
			}
		}
		assert.ElementsMatch(t, []string{"UDP/53", "TCP/53", "TCP/8443", "TCP/443"}, out, "DNS, the upstream, the issuer")
	})
	t.Run("disruption budget keeps most replicas up", func(t *testing.T) {
		pdb := get("PodDisruptionBudget", "lmsproxy").(*policyv1.PodDisruptionBudget)
		assert.Nil(t, pdb.Spec.MinAvailable)
		assert.Equal(t, ptr(intstr.FromInt32(1)), pdb.Spec.MaxUnavailable)
		assert.Equal(t, dep.Spec.Selector.MatchLabels, pdb.Spec.Selector.MatchLabels)
		hpa := get("HorizontalPodAutoscaler", "lmsproxy").(*autoscalingv2.HorizontalPodAutoscaler)
		require.NotNil(t, hpa.Spec.MinReplicas)
		assert.GreaterOrEqual(t, *hpa.Spec.MinReplicas, int32(2), "one replica down still leaves one serving")
	})
}

// TestStrictDecodingCatchesMistakes proves the check can fail: a misspelt
// field in a copy of the example is refused.
func TestStrictDecodingCatchesMistakes(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, os.DirFS("kubernetes")))
	dep := filepath.Join(dir, "deployment.yaml")
	b, err := os.ReadFile(dep)
	require.NoError(t, err)
	bad := strings.Replace(string(b), "terminationGracePeriodSeconds:", "terminationGracePeriodSecond:", 1)
	require.NotEqual(t, string(b), bad)
	require.NoError(t, os.WriteFile(dep, []byte(bad), 0o644))

	var refused []string
	for _, d := range build(t, dir) {
		if d.err != nil {
			refused = append(refused, d.kind+": "+d.err.Error())
		}
	}
	require.Len(t, refused, 1)
	assert.Contains(t, refused[0], "terminationGracePeriodSecond")
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func ptr[T any](v T) *T { return &v }
