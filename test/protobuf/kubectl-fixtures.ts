// Request bodies captured from kubectl v1.32.4 (test data): each command was run against a
// loopback server that recorded the protobuf body; `want` is the same command's
// `--dry-run=client -o json` output, less the nulls and zero status counters that Go prints
// for fields without omitempty (the decoder leaves zero values out; see decode.ts).
// `create token` has no dry-run; its `want` was checked by hand against TokenRequest's Go type.

export interface KubectlFixture { name: string; cmd: string; path: string; hex: string; want: Record<string, unknown> }

export const KUBECTL_FIXTURES: KubectlFixture[] = [
  {
    name: "namespace",
    cmd: "kubectl create namespace ns1",
    path: '/api/v1/namespaces',
    hex: '6b3873000a0f0a02763112094e616d657370616365121b0a130a036e733112001a0022002a0032003800420012001a02' +
      '0a001a002200',
    want: {"kind":"Namespace","apiVersion":"v1","metadata":{"name":"ns1"},"spec":{},"status":{}},
  },
  {
    name: "deployment",
    cmd: "kubectl create deployment web --image=nginx --replicas=2 --port=80",
    path: '/apis/apps/v1/namespaces/default/deployments',
    hex: '6b3873000a150a07617070732f7631120a4465706c6f796d656e7412bf010a260a0377656212001a0764656661756c74' +
      '22002a003200380042005a0a0a0361707012037765621286010802120c0a0a0a0361707012037765621a6c0a1c0a0012' +
      '001a0022002a003200380042005a0a0a036170701203776562124c122e0a056e67696e7812056e67696e782a00320a0a' +
      '001000185022002a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01' +
      '009a0100c2010022020a00280038001a0c0800100018002000280038001a002200',
    want: {"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"web","namespace":"default","labels":{"app":"web"}},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx","image":"nginx","ports":[{"containerPort":80}],"resources":{}}]}},"strategy":{}},"status":{}},
  },
  {
    name: "deployment, two images, replicas 0",
    cmd: "kubectl create deployment web2 --image=nginx --image=busybox --replicas=0",
    path: '/apis/apps/v1/namespaces/default/deployments',
    hex: '6b3873000a150a07617070732f7631120a4465706c6f796d656e7412e0010a280a047765623212001a0764656661756c' +
      '7422002a003200380042005a0b0a0361707012047765623212a5010800120d0a0b0a036170701204776562321a89010a' +
      '1d0a0012001a0022002a003200380042005a0b0a03617070120477656232126812220a056e67696e7812056e67696e78' +
      '2a0042006a007200800100880100900100a2010012260a0762757379626f78120762757379626f782a0042006a007200' +
      '800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a0028003800' +
      '1a0c0800100018002000280038001a002200',
    want: {"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"web2","namespace":"default","labels":{"app":"web2"}},"spec":{"replicas":0,"selector":{"matchLabels":{"app":"web2"}},"template":{"metadata":{"labels":{"app":"web2"}},"spec":{"containers":[{"name":"nginx","image":"nginx","resources":{}},{"name":"busybox","image":"busybox","resources":{}}]}},"strategy":{}},"status":{}},
  },
  {
    name: "configmap",
    cmd: "kubectl create configmap cm1 --from-literal=a=1 --from-literal=b=hello --from-literal=empty=",
    path: '/api/v1/namespaces/default/configmaps',
    hex: '6b3873000a0f0a0276311209436f6e6669674d6170123b0a1a0a03636d3112001a0764656661756c7422002a00320038' +
      '00420012060a0161120131120a0a0162120568656c6c6f12090a05656d70747912001a002200',
    want: {"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"cm1","namespace":"default"},"data":{"a":"1","b":"hello","empty":""}},
  },
  {
    name: "secret generic with binary data",
    cmd: "kubectl create secret generic s1 --from-literal=user=admin --from-file=bin=/tmp/pb/bin.dat",
    path: '/api/v1/namespaces/default/secrets',
    hex: '6b3873000a0c0a027631120653656372657412390a190a02733112001a0764656661756c7422002a0032003800420012' +
      '0b0a0362696e1204000102ff120d0a0475736572120561646d696e1a001a002200',
    want: {"kind":"Secret","apiVersion":"v1","metadata":{"name":"s1","namespace":"default"},"data":{"bin":"AAEC/w==","user":"YWRtaW4="}},
  },
  {
    name: "secret docker-registry",
    cmd: "kubectl create secret docker-registry reg --docker-server=r.example --docker-username=u --docker-password=p",
    path: '/api/v1/namespaces/default/secrets',
    hex: '6b3873000a0c0a02763112065365637265741298010a1a0a0372656712001a0764656661756c7422002a003200380042' +
      '00125a0a112e646f636b6572636f6e6669676a736f6e12457b226175746873223a7b22722e6578616d706c65223a7b22' +
      '757365726e616d65223a2275222c2270617373776f7264223a2270222c2261757468223a2264547077227d7d7d1a1e6b' +
      '756265726e657465732e696f2f646f636b6572636f6e6669676a736f6e1a002200',
    want: {"kind":"Secret","apiVersion":"v1","metadata":{"name":"reg","namespace":"default"},"data":{".dockerconfigjson":"eyJhdXRocyI6eyJyLmV4YW1wbGUiOnsidXNlcm5hbWUiOiJ1IiwicGFzc3dvcmQiOiJwIiwiYXV0aCI6ImRUcHcifX19"},"type":"kubernetes.io/dockerconfigjson"},
  },
  {
    name: "job",
    cmd: "kubectl create job j1 --image=busybox -- echo hi",
    path: '/apis/batch/v1/namespaces/default/jobs',
    hex: '6b3873000a0f0a0862617463682f763112034a6f62128b010a190a026a3112001a0764656661756c7422002a00320038' +
      '004200126432620a100a0012001a0022002a00320038004200124e122b0a026a31120762757379626f781a046563686f' +
      '1a0268692a0042006a007200800100880100900100a201001a054e65766572320042004a005200580060006800820100' +
      '8a01009a0100c201001a082000280030003a001a002200',
    want: {"kind":"Job","apiVersion":"batch/v1","metadata":{"name":"j1","namespace":"default"},"spec":{"template":{"metadata":{},"spec":{"containers":[{"name":"j1","image":"busybox","command":["echo","hi"],"resources":{}}],"restartPolicy":"Never"}}},"status":{}},
  },
  {
    name: "cronjob",
    cmd: "kubectl create cronjob cj1 --image=busybox --schedule=*/5 * * * * --restart=Never -- date",
    path: '/apis/batch/v1/namespaces/default/cronjobs',
    hex: '6b3873000a130a0862617463682f7631120743726f6e4a6f6212aa010a1a0a03636a3112001a0764656661756c742200' +
      '2a003200380042001289010a0b2a2f35202a202a202a202a1a002a780a130a03636a3112001a0022002a003200380042' +
      '001261325f0a100a0012001a0022002a00320038004200124b12280a03636a31120762757379626f781a04646174652a' +
      '0042006a007200800100880100900100a201001a054e65766572320042004a0052005800600068008201008a01009a01' +
      '00c201001a001a002200',
    want: {"kind":"CronJob","apiVersion":"batch/v1","metadata":{"name":"cj1","namespace":"default"},"spec":{"schedule":"*/5 * * * *","jobTemplate":{"metadata":{"name":"cj1"},"spec":{"template":{"metadata":{},"spec":{"containers":[{"name":"cj1","image":"busybox","command":["date"],"resources":{}}],"restartPolicy":"Never"}}}}},"status":{}},
  },
  {
    name: "service clusterip",
    cmd: "kubectl create service clusterip svc1 --tcp=80:8080 --tcp=53:dns",
    path: '/api/v1/namespaces/default/services',
    hex: '6b3873000a0d0a0276311207536572766963651291010a280a047376633112001a0764656661756c7422002a00320038' +
      '0042005a0b0a0361707012047376633112610a1b0a0738302d38303830120354435018502207080010903f1a0028000a' +
      '1c0a0635332d646e73120354435018352209080110001a03646e732800120b0a036170701204737663311a002209436c' +
      '757374657249503a00420052005a00600068001a020a001a002200',
    want: {"kind":"Service","apiVersion":"v1","metadata":{"name":"svc1","namespace":"default","labels":{"app":"svc1"}},"spec":{"ports":[{"name":"80-8080","protocol":"TCP","port":80,"targetPort":8080},{"name":"53-dns","protocol":"TCP","port":53,"targetPort":"dns"}],"selector":{"app":"svc1"},"type":"ClusterIP"},"status":{"loadBalancer":{}}},
  },
  {
    name: "service clusterip headless",
    cmd: "kubectl create service clusterip svc0 --clusterip=None",
    path: '/api/v1/namespaces/default/services',
    hex: '6b3873000a0d0a027631120753657276696365125a0a280a047376633012001a0764656661756c7422002a0032003800' +
      '42005a0b0a03617070120473766330122a120b0a036170701204737663301a044e6f6e652209436c757374657249503a' +
      '00420052005a00600068001a020a001a002200',
    want: {"kind":"Service","apiVersion":"v1","metadata":{"name":"svc0","namespace":"default","labels":{"app":"svc0"}},"spec":{"selector":{"app":"svc0"},"clusterIP":"None","type":"ClusterIP"},"status":{"loadBalancer":{}}},
  },
  {
    name: "service nodeport",
    cmd: "kubectl create service nodeport svc2 --tcp=80:http --node-port=30080",
    path: '/api/v1/namespaces/default/services',
    hex: '6b3873000a0d0a02763112075365727669636512770a280a047376633212001a0764656661756c7422002a0032003800' +
      '42005a0b0a0361707012047376633212470a200a0738302d6874747012035443501850220a080110001a046874747028' +
      '80eb01120b0a036170701204737663321a0022084e6f6465506f72743a00420052005a00600068001a020a001a002200',
    want: {"kind":"Service","apiVersion":"v1","metadata":{"name":"svc2","namespace":"default","labels":{"app":"svc2"}},"spec":{"ports":[{"name":"80-http","protocol":"TCP","port":80,"targetPort":"http","nodePort":30080}],"selector":{"app":"svc2"},"type":"NodePort"},"status":{"loadBalancer":{}}},
  },
  {
    name: "service loadbalancer",
    cmd: "kubectl create service loadbalancer svc3 --tcp=443:8443",
    path: '/api/v1/namespaces/default/services',
    hex: '6b3873000a0d0a02763112075365727669636512780a280a047376633312001a0764656661756c7422002a0032003800' +
      '42005a0b0a0361707012047376633312480a1d0a083434332d38343433120354435018bb032207080010fb411a002800' +
      '120b0a036170701204737663331a00220c4c6f616442616c616e6365723a00420052005a00600068001a020a001a0022' +
      '00',
    want: {"kind":"Service","apiVersion":"v1","metadata":{"name":"svc3","namespace":"default","labels":{"app":"svc3"}},"spec":{"ports":[{"name":"443-8443","protocol":"TCP","port":443,"targetPort":8443}],"selector":{"app":"svc3"},"type":"LoadBalancer"},"status":{"loadBalancer":{}}},
  },
  {
    name: "service externalname",
    cmd: "kubectl create service externalname svc4 --external-name=example.com",
    path: '/api/v1/namespaces/default/services',
    hex: '6b3873000a0d0a02763112075365727669636512640a280a047376633412001a0764656661756c7422002a0032003800' +
      '42005a0b0a036170701204737663341234120b0a036170701204737663341a00220c45787465726e616c4e616d653a00' +
      '4200520b6578616d706c652e636f6d5a00600068001a020a001a002200',
    want: {"kind":"Service","apiVersion":"v1","metadata":{"name":"svc4","namespace":"default","labels":{"app":"svc4"}},"spec":{"selector":{"app":"svc4"},"type":"ExternalName","externalName":"example.com"},"status":{"loadBalancer":{}}},
  },
  {
    name: "serviceaccount",
    cmd: "kubectl create serviceaccount sa1",
    path: '/api/v1/namespaces/default/serviceaccounts',
    hex: '6b3873000a140a027631120e536572766963654163636f756e74121c0a1a0a0373613112001a0764656661756c742200' +
      '2a003200380042001a002200',
    want: {"kind":"ServiceAccount","apiVersion":"v1","metadata":{"name":"sa1","namespace":"default"}},
  },
  {
    name: "quota",
    cmd: "kubectl create quota q1 --hard=cpu=1,memory=1G,pods=10 --scopes=BestEffort",
    path: '/api/v1/namespaces/default/resourcequotas',
    hex: '6b3873000a130a027631120d5265736f7572636551756f746112550a190a02713112001a0764656661756c7422002a00' +
      '32003800420012360a0a0a0363707512030a01310a0e0a066d656d6f727912040a0231470a0c0a04706f647312040a02' +
      '3130120a426573744566666f72741a001a002200',
    want: {"kind":"ResourceQuota","apiVersion":"v1","metadata":{"name":"q1","namespace":"default"},"spec":{"hard":{"cpu":"1","memory":"1G","pods":"10"},"scopes":["BestEffort"]},"status":{}},
  },
  {
    name: "priorityclass",
    cmd: "kubectl create priorityclass pc1 --value=1000 --description=high --preemption-policy=Never",
    path: '/apis/scheduling.k8s.io/v1/priorityclasses',
    hex: '6b3873000a250a147363686564756c696e672e6b38732e696f2f7631120d5072696f72697479436c61737312270a130a' +
      '0370633112001a0022002a0032003800420010e80718002204686967682a054e657665721a002200',
    want: {"kind":"PriorityClass","apiVersion":"scheduling.k8s.io/v1","metadata":{"name":"pc1"},"value":1000,"description":"high","preemptionPolicy":"Never"},
  },
  {
    name: "poddisruptionbudget",
    cmd: "kubectl create poddisruptionbudget pdb1 --selector=app=web --min-available=50%",
    path: '/apis/policy/v1/namespaces/default/poddisruptionbudgets',
    hex: '6b3873000a200a09706f6c6963792f76311213506f6444697372757074696f6e42756467657412440a1b0a0470646231' +
      '12001a0764656661756c7422002a0032003800420012190a09080110001a03353025120c0a0a0a036170701203776562' +
      '1a0a080018002000280030001a002200',
    want: {"kind":"PodDisruptionBudget","apiVersion":"policy/v1","metadata":{"name":"pdb1","namespace":"default"},"spec":{"minAvailable":"50%","selector":{"matchLabels":{"app":"web"}}},"status":{}},
  },
  {
    name: "poddisruptionbudget max-unavailable 0",
    cmd: "kubectl create poddisruptionbudget pdb2 --selector=app=web --max-unavailable=0",
    path: '/apis/policy/v1/namespaces/default/poddisruptionbudgets',
    hex: '6b3873000a200a09706f6c6963792f76311213506f6444697372757074696f6e42756467657412410a1b0a0470646232' +
      '12001a0764656661756c7422002a003200380042001216120c0a0a0a0361707012037765621a06080010001a001a0a08' +
      '0018002000280030001a002200',
    want: {"kind":"PodDisruptionBudget","apiVersion":"policy/v1","metadata":{"name":"pdb2","namespace":"default"},"spec":{"selector":{"matchLabels":{"app":"web"}},"maxUnavailable":0},"status":{}},
  },
  {
    name: "role",
    cmd: "kubectl create role r1 --verb=get,list --resource=pods,deployments.apps --resource-name=a",
    path: '/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles',
    hex: '6b3873000a240a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f76311204526f6c6512560a190a02' +
      '723112001a0764656661756c7422002a0032003800420012160a036765740a046c69737412001a04706f647322016112' +
      '210a036765740a046c6973741204617070731a0b6465706c6f796d656e74732201611a002200',
    want: {"kind":"Role","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"r1","namespace":"default"},"rules":[{"verbs":["get","list"],"apiGroups":[""],"resources":["pods"],"resourceNames":["a"]},{"verbs":["get","list"],"apiGroups":["apps"],"resources":["deployments"],"resourceNames":["a"]}]},
  },
  {
    name: "rolebinding",
    cmd: "kubectl create rolebinding rb1 --role=r1 --user=alice --serviceaccount=default:sa1",
    path: '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings',
    hex: '6b3873000a2b0a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f7631120b526f6c6542696e64696e' +
      '671291010a1a0a0372623112001a0764656661756c7422002a00320038004200122a0a04557365721219726261632e61' +
      '7574686f72697a6174696f6e2e6b38732e696f1a05616c696365220012200a0e536572766963654163636f756e741200' +
      '1a03736131220764656661756c741a250a19726261632e617574686f72697a6174696f6e2e6b38732e696f1204526f6c' +
      '651a0272311a002200',
    want: {"kind":"RoleBinding","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"rb1","namespace":"default"},"subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"alice"},{"kind":"ServiceAccount","name":"sa1","namespace":"default"}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"r1"}},
  },
  {
    name: "clusterrole",
    cmd: "kubectl create clusterrole cr2 --verb=get --non-resource-url=/logs/*",
    path: '/apis/rbac.authorization.k8s.io/v1/clusterroles',
    hex: '6b3873000a2b0a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f7631120b436c7573746572526f6c' +
      '6512250a130a0363723212001a0022002a00320038004200120e0a036765742a072f6c6f67732f2a1a002200',
    want: {"kind":"ClusterRole","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"cr2"},"rules":[{"verbs":["get"],"nonResourceURLs":["/logs/*"]}]},
  },
  {
    name: "clusterrole aggregated",
    cmd: "kubectl create clusterrole cr3 --aggregation-rule=rbac.example.com/aggregate=true",
    path: '/apis/rbac.authorization.k8s.io/v1/clusterroles',
    hex: '6b3873000a2b0a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f7631120b436c7573746572526f6c' +
      '65123d0a130a0363723312001a0022002a003200380042001a260a240a220a1a726261632e6578616d706c652e636f6d' +
      '2f6167677265676174651204747275651a002200',
    want: {"kind":"ClusterRole","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"cr3"},"aggregationRule":{"clusterRoleSelectors":[{"matchLabels":{"rbac.example.com/aggregate":"true"}}]}},
  },
  {
    name: "clusterrolebinding",
    cmd: "kubectl create clusterrolebinding crb1 --clusterrole=cr1 --group=devs",
    path: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
    hex: '6b3873000a320a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f76311212436c7573746572526f6c' +
      '6542696e64696e6712710a140a046372623112001a0022002a00320038004200122a0a0547726f75701219726261632e' +
      '617574686f72697a6174696f6e2e6b38732e696f1a046465767322001a2d0a19726261632e617574686f72697a617469' +
      '6f6e2e6b38732e696f120b436c7573746572526f6c651a036372311a002200',
    want: {"kind":"ClusterRoleBinding","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"crb1"},"subjects":[{"kind":"Group","apiGroup":"rbac.authorization.k8s.io","name":"devs"}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"cr1"}},
  },
  {
    name: "ingress",
    cmd: "kubectl create ingress ing1 --class=nginx --rule=foo.com/bar*=svc1:80,tls=my-cert --default-backend=svc9:http --annotation=a=b",
    path: '/apis/networking.k8s.io/v1/namespaces/default/ingresses',
    hex: '6b3873000a1f0a146e6574776f726b696e672e6b38732e696f2f76311207496e67726573731289010a230a04696e6731' +
      '12001a0764656661756c7422002a0032003800420062060a0161120162125e0a1222100a047376633912080a04687474' +
      '70100012120a07666f6f2e636f6d12076d792d636572741a2d0a07666f6f2e636f6d12220a200a1e0a042f626172120e' +
      '220c0a047376633112040a0010501a0650726566697822056e67696e781a020a001a002200',
    want: {"kind":"Ingress","apiVersion":"networking.k8s.io/v1","metadata":{"name":"ing1","namespace":"default","annotations":{"a":"b"}},"spec":{"ingressClassName":"nginx","defaultBackend":{"service":{"name":"svc9","port":{"name":"http"}}},"tls":[{"hosts":["foo.com"],"secretName":"my-cert"}],"rules":[{"host":"foo.com","http":{"paths":[{"path":"/bar","pathType":"Prefix","backend":{"service":{"name":"svc1","port":{"number":80}}}}]}}]},"status":{"loadBalancer":{}}},
  },
  {
    name: "token request",
    cmd: "kubectl create token sa1 --duration=1h --audience=api",
    path: '/api/v1/namespaces/default/serviceaccounts/sa1/token',
    hex: '6b3873000a280a1861757468656e7469636174696f6e2e6b38732e696f2f7631120c546f6b656e526571756573741222' +
      '0a100a0012001a0022002a0032003800420012080a0361706920901c1a040a0012001a002200',
    want: {"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","metadata":{},"spec":{"audiences":["api"],"expirationSeconds":3600},"status":{}},
  },
  {
    name: "autoscale",
    cmd: "kubectl autoscale deployment web --min=2 --max=5 --cpu-percent=80",
    path: '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers',
    hex: '6b3873000a290a0e6175746f7363616c696e672f76311217486f72697a6f6e74616c506f644175746f7363616c657212' +
      '3f0a130a0377656212001a0022002a0032003800420012220a1a0a0a4465706c6f796d656e7412037765621a07617070' +
      '732f76311002180520501a04180020001a002200',
    want: {"kind":"HorizontalPodAutoscaler","apiVersion":"autoscaling/v1","metadata":{"name":"web"},"spec":{"scaleTargetRef":{"kind":"Deployment","name":"web","apiVersion":"apps/v1"},"minReplicas":2,"maxReplicas":5,"targetCPUUtilizationPercentage":80},"status":{}},
  },
];
