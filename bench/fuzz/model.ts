// Requests built from the Cloud Map model (src/model/service-2.json): for each operation a body that
// mostly satisfies its input shape and names resources that exist, so the fuzzer reaches the handlers
// and not only the validation; the mutations of mutate.ts then damage it.
import fc from 'fast-check';
import { serviceModel, type Shape } from '../../src/model/service-model.ts';
import { arr, fromValue, hostileKey, hostileNode, hostileString, lit, obj, ref, str, type Node, type Ref } from './json.ts';
import { mutationArb, type Mutation } from './mutate.ts';

export const operationNames: readonly string[] = Object.keys(serviceModel.operations).sort();
export const targetPrefix = serviceModel.metadata.targetPrefix;

/** Every member name and enum value of the model: the words a hostile body should use to get past the first checks. */
export const memberNames: readonly string[] = [
  ...new Set(Object.values(serviceModel.shapes).flatMap((s) => (s.type === 'structure' ? Object.keys(s.members) : []))),
].sort();
const enumValues: readonly string[] = [
  ...new Set(Object.values(serviceModel.shapes).flatMap((s) => (s.type === 'string' && s.enum ? s.enum : []))),
].sort();
const reservedAttributes = [
  'AWS_INSTANCE_IPV4',
  'AWS_INSTANCE_IPV6',
  'AWS_INSTANCE_PORT',
  'AWS_INSTANCE_CNAME',
  'AWS_ALIAS_DNS_NAME',
  'AWS_INIT_HEALTH_STATUS',
  'AWS_EC2_INSTANCE_ID',
];

export const vocabulary: readonly string[] = [...memberNames, ...enumValues, ...reservedAttributes, ...operationNames];
export const hostileKeys = hostileKey(memberNames);
export const hostileStrings = hostileString(vocabulary);
export const hostile = hostileNode(hostileKeys, hostileStrings);

/** The names of the output members of an operation (what a 2xx body may contain). */
export function outputMembers(op: string): readonly string[] | undefined {
  const out = serviceModel.operations[op]?.output?.shape;
  if (out === undefined) return [];
  const s = serviceModel.shapes[out];
  return s?.type === 'structure' ? Object.keys(s.members) : undefined;
}

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);
const longLabel = fc.constantFrom('a'.repeat(63), 'b'.repeat(64));
const dnsName = fc
  .tuple(
    fc.array(fc.oneof({ arbitrary: label, weight: 9 }, { arbitrary: longLabel, weight: 1 }), { minLength: 1, maxLength: 3 }),
    fc.constantFrom('fuzz.test', 'test', 'example', 'fuzz-test'),
  )
  .map(([labels, tail]) => [...labels, tail].join('.'));
const serviceName = fc.oneof(
  { arbitrary: label, weight: 6 },
  { arbitrary: fc.tuple(label, label).map(([a, b]) => `_${a}._${b}`), weight: 1 },
  { arbitrary: fc.constantFrom('.', '_http._tcp', 'a.b.c', 'x'.repeat(63), `${'y'.repeat(63)}.${'z'.repeat(63)}`), weight: 1 },
);
const httpName = fc.oneof(
  label,
  fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 20 }),
);
const instanceId = fc.oneof(label, fc.stringMatching(/^[0-9a-zA-Z_/:.@-]{1,64}$/));
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(([a, b, c]) => `127.${a}.${b}.${c}`);
const notAnAddress = fc.constantFrom('', '127.0.0', '127.0.0.256', '127.0.0.1 ', '0127.0.0.1', '::1%lo', '::g', 'localhost', '1e400');

const port = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 65535 }).map(String), weight: 5 },
  { arbitrary: fc.constantFrom('0', '65536', 'http', '-1', '08080', ''), weight: 1 },
);
const custom = fc.dictionary(
  fc.oneof(fc.constantFrom('color', 'stage'), fc.stringMatching(/^[a-zA-Z0-9!-~]{1,20}$/)),
  fc.string({ maxLength: 30 }),
  { maxKeys: 3 },
);

/** Instance attributes: a consistent set for some kind of service (addresses on loopback only), or any mix. */
const instanceAttributes: fc.Arbitrary<Node> = fc
  .oneof(
    { arbitrary: fc.record({ AWS_INSTANCE_IPV4: ipv4, AWS_INSTANCE_PORT: port }, { requiredKeys: ['AWS_INSTANCE_IPV4'] }), weight: 4 },
    { arbitrary: fc.record({ AWS_INSTANCE_IPV4: ipv4, AWS_INSTANCE_IPV6: fc.constant('::1'), AWS_INSTANCE_PORT: port }), weight: 3 },
    { arbitrary: fc.record({ AWS_INSTANCE_CNAME: dnsName }), weight: 1 },
    { arbitrary: fc.record({ AWS_ALIAS_DNS_NAME: dnsName }), weight: 1 },
    {
      arbitrary: fc.record(
        {
          AWS_EC2_INSTANCE_ID: fc.constantFrom('i-0123456789abcdef0', 'i-x'),
          AWS_INIT_HEALTH_STATUS: fc.constantFrom('HEALTHY', 'UNHEALTHY'),
        },
        { requiredKeys: ['AWS_EC2_INSTANCE_ID'] },
      ),
      weight: 1,
    },
    {
      arbitrary: fc.record(
        {
          AWS_INSTANCE_IPV4: fc.oneof(ipv4, notAnAddress),
          AWS_INSTANCE_IPV6: fc.oneof(fc.constant('::1'), notAnAddress),
          AWS_INSTANCE_PORT: port,
          AWS_INSTANCE_CNAME: dnsName,
          AWS_ALIAS_DNS_NAME: dnsName,
          AWS_INIT_HEALTH_STATUS: fc.constantFrom('HEALTHY', 'UNHEALTHY', 'healthy', ''),
          AWS_EC2_INSTANCE_ID: fc.constantFrom('i-0123456789abcdef0', 'i-x'),
        },
        { requiredKeys: [] },
      ),
      weight: 2,
    },
  )
  .chain((reserved) => custom.map((extra) => fromValue({ ...reserved, ...extra })));

const queryParameters = fc
  .dictionary(
    fc.constantFrom('color', 'stage', 'AWS_INSTANCE_IPV4', 'x'),
    fc.constantFrom('red', 'blue', 'prod', 'test', '127.0.0.1', ''),
    { maxKeys: 3 },
  )
  .map(fromValue);
const filterValues = fc
  .array(
    fc.oneof(
      fc.constantFrom<Ref>('ns.id', 'svc.id', 'ns.name').map(ref),
      fc.constantFrom(...enumValues, '0', String(Math.floor(Date.now() / 1000)), '2020-01-01T00:00:00Z', '').map(str),
      hostileStrings.map(str),
    ),
    { maxLength: 4 },
  )
  .map(arr);
const requestToken = fc.oneof(fc.constantFrom('tok-1', 'tok-2', 'tok-3').map(str), fc.uuid().map(str));

const namespaceOps = new Set([
  'GetNamespace',
  'DeleteNamespace',
  'UpdateHttpNamespace',
  'UpdatePublicDnsNamespace',
  'UpdatePrivateDnsNamespace',
]);
const instanceOps = new Set(['RegisterInstance', 'DeregisterInstance', 'GetInstance', 'UpdateInstanceCustomHealthStatus']);
const idOrArn = (kind: 'ns' | 'svc'): fc.Arbitrary<Node> =>
  fc.oneof({ arbitrary: fc.constant(ref(`${kind}.id`)), weight: 4 }, { arbitrary: fc.constant(ref(`${kind}.arn`)), weight: 1 });

/** A value chosen by what a member means in this operation, where the model's shape alone says too little. */
function meaningOf(op: string, member: string, shape: string): fc.Arbitrary<Node> | undefined {
  switch (member) {
    case 'Id':
      return idOrArn(namespaceOps.has(op) ? 'ns' : 'svc');
    case 'NamespaceId':
      return shape === 'Arn' ? idOrArn('ns') : fc.constant(ref('ns.id'));
    case 'ServiceId':
      if (op === 'RegisterInstance') return fc.oneof(fc.constant(ref('svc.id')), fc.constant(ref('inst.serviceId')));
      return instanceOps.has(op) ? fc.constant(ref('inst.serviceId')) : idOrArn('svc');
    case 'InstanceId':
      return op === 'RegisterInstance' ? fc.oneof(instanceId.map(str), fc.constant(ref('inst.id'))) : fc.constant(ref('inst.id'));
    case 'Instances':
      return fc.array(fc.oneof(fc.constant(ref('inst.id')), instanceId.map(str)), { minLength: 1, maxLength: 3 }).map(arr);
    case 'ResourceARN':
      return fc.constantFrom<Ref>('ns.arn', 'svc.arn').map(ref);
    case 'OperationId':
      return fc.constant(ref('op.id'));
    case 'NamespaceName':
      return fc.constant(ref('svc.nsName'));
    case 'ServiceName':
      return fc.constant(ref('svc.name'));
    case 'Vpc':
      return fc.constantFrom('vpc-1', 'vpc-1', 'vpc-nothere').map(str);
    case 'QueryParameters':
    case 'OptionalParameters':
      return queryParameters;
    case 'Values':
      return filterValues;
    case 'CreatorRequestId':
    case 'UpdaterRequestId':
      return requestToken;
    case 'NextToken':
      return fc.oneof(fc.constant(ref('token')), hostileStrings.map(str));
    case 'OwnerAccount':
      return fc.constantFrom('123456789012', '999999999999', '12345').map(str);
    case 'Attributes':
      return shape === 'Attributes' ? instanceAttributes : undefined;
    case 'Name':
      if (shape === 'NamespaceNamePublic' || shape === 'NamespaceNamePrivate') return dnsName.map(str);
      if (shape === 'NamespaceNameHttp') return httpName.map(str);
      if (shape === 'ServiceName') return serviceName.map(str);
      return undefined;
    default:
      return undefined;
  }
}

const shapeCache = new Map<string, fc.Arbitrary<Node>>();

/** A value of a shape by its constraints: mostly inside them, sometimes just outside. */
function ofShape(op: string, name: string): fc.Arbitrary<Node> {
  const key = `${op}/${name}`;
  const hit = shapeCache.get(key);
  if (hit) return hit;
  const built = buildShape(op, serviceModel.shapes[name] as Shape);
  shapeCache.set(key, built);
  return built;
}

const edge = <T>(inside: fc.Arbitrary<T>, outside: fc.Arbitrary<T>): fc.Arbitrary<T> =>
  fc.oneof({ arbitrary: inside, weight: 9 }, { arbitrary: outside, weight: 1 });

function buildShape(op: string, s: Shape): fc.Arbitrary<Node> {
  switch (s.type) {
    case 'string': {
      if (s.enum)
        return edge(
          fc.constantFrom(...s.enum),
          fc.oneof(
            fc.constantFrom(...s.enum).map((e) => e.toLowerCase()),
            hostileStrings,
          ),
        ).map(str);
      const min = s.min ?? 0;
      const max = s.max ?? 64;
      return edge(
        fc.string({ minLength: min, maxLength: Math.min(max, 40) }),
        fc.constantFrom('x'.repeat(max), 'x'.repeat(max + 1), ''),
      ).map(str);
    }
    case 'integer':
    case 'long': {
      const min = s.min ?? -(2 ** 31);
      const max = s.max ?? 2 ** 31 - 1;
      return edge(
        fc.integer({ min, max }).map((i) => lit(String(i))),
        fc.constantFrom(min - 1, max + 1, 0.5).map((i) => lit(String(i))),
      );
    }
    case 'boolean':
      return fc.boolean().map((b) => lit(String(b)));
    case 'timestamp':
      return fc.oneof(fc.integer({ min: 0, max: 2 ** 31 }), fc.double({ noNaN: true })).map((n) => lit(String(n)));
    case 'list': {
      const max = Math.min(s.max ?? 4, 4);
      return fc.array(ofShape(op, s.member.shape), { minLength: Math.min(s.min ?? 0, max), maxLength: max }).map(arr);
    }
    case 'map':
      return fc
        .array(fc.tuple(ofShape(op, s.key.shape), ofShape(op, s.value.shape)), { maxLength: 4 })
        .map((pairs) => obj(pairs.map(([k, v]): [string, Node] => [k.t === 'str' ? k.value : 'k', v])));
    case 'structure': {
      const members = Object.entries(s.members).map(([member, r]) => {
        const value = meaningOf(op, member, r.shape) ?? ofShape(op, r.shape);
        const required = s.required?.includes(member) ?? false;
        return fc.option(
          value.map((v): [string, Node] => [member, v]),
          { nil: undefined, freq: required ? 20 : 2 },
        );
      });
      return fc.tuple(...members).map((entries) => obj(entries.filter((e) => e !== undefined)));
    }
  }
}

/** One generated call of a model operation: its body, the mutations to apply, which pooled resources it names. */
export interface ModelCall {
  op: string;
  body: Node;
  mutations: Mutation[];
  pick: number;
}

export function modelCall(op: string, maxMutations = 3): fc.Arbitrary<ModelCall> {
  const input = serviceModel.operations[op]?.input?.shape;
  const body = input === undefined ? fc.constant(obj([])) : ofShape(op, input);
  const mutations = fc.oneof(
    { arbitrary: fc.constant<Mutation[]>([]), weight: 2 },
    { arbitrary: fc.array(mutationArb(hostile), { minLength: 1, maxLength: maxMutations }), weight: 1 },
  );
  return fc.record({ op: fc.constant(op), body, mutations, pick: fc.nat() });
}

/** A call of any model operation. */
export const anyModelCall: fc.Arbitrary<ModelCall> = fc.oneof(...operationNames.map((op) => modelCall(op)));
