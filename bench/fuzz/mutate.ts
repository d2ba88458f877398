// Mutations of a mostly-valid request tree: a node replaced by something hostile, a member dropped or
// duplicated, a prototype key added, a value buried under nesting. Each names its target by a number
// (taken modulo the candidates), so a mutation is plain data that fast-check can shrink and replay.
import fc from 'fast-check';
import { prototypeKeys, type Node } from './json.ts';

export type Mutation =
  | { kind: 'replace'; at: number; node: Node }
  | { kind: 'drop'; at: number }
  | { kind: 'proto'; at: number; key: string; node: Node }
  | { kind: 'dup'; at: number; before: boolean; node: Node }
  | { kind: 'wrap'; at: number; depth: number; key: string | null };

export function mutationArb(hostile: fc.Arbitrary<Node>): fc.Arbitrary<Mutation> {
  const at = fc.nat();
  return fc.oneof(
    { arbitrary: fc.record({ kind: fc.constant('replace' as const), at, node: hostile }), weight: 5 },
    { arbitrary: fc.record({ kind: fc.constant('drop' as const), at }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant('proto' as const), at, key: fc.constantFrom(...prototypeKeys), node: hostile }), weight: 3 },
    { arbitrary: fc.record({ kind: fc.constant('dup' as const), at, before: fc.boolean(), node: hostile }), weight: 2 },
    {
      arbitrary: fc.record({
        kind: fc.constant('wrap' as const),
        at,
        depth: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1000, max: 100_000 })),
        key: fc.option(fc.constantFrom('a', '__proto__', 'Name'), { nil: null }),
      }),
      weight: 1,
    },
  );
}

/** Where a node sits: its parent's list and index (the root has none). */
interface Slot {
  node: Node;
  set?: (n: Node) => void;
}

/** Every node of a tree in pre-order, with a way to replace it; deep and wide nodes count as one. */
function slots(root: Node, setRoot: (n: Node) => void): Slot[] {
  const out: Slot[] = [{ node: root, set: setRoot }];
  for (let i = 0; i < out.length; i++) {
    const n = out[i]!.node;
    if (n.t === 'arr')
      n.items.forEach((item, j) =>
        out.push({
          node: item,
          set: (x) => {
            n.items[j] = x;
          },
        }),
      );
    if (n.t === 'obj')
      n.entries.forEach((e) =>
        out.push({
          node: e[1],
          set: (x) => {
            e[1] = x;
          },
        }),
      );
  }
  return out;
}

const clone = (n: Node): Node => structuredClone(n);

/** The tree with the mutations applied in order (the input is left as it was). */
export function applyMutations(tree: Node, mutations: readonly Mutation[]): Node {
  let root = clone(tree);
  for (const m of mutations) {
    const all = slots(root, (n) => {
      root = n;
    });
    const objects = all.filter((s) => s.node.t === 'obj').map((s) => s.node as Extract<Node, { t: 'obj' }>);
    switch (m.kind) {
      case 'replace':
        all[m.at % all.length]!.set?.(clone(m.node));
        break;
      case 'wrap': {
        const s = all[m.at % all.length]!;
        s.set?.({ t: 'deep', depth: m.depth, key: m.key, inner: s.node });
        break;
      }
      case 'drop': {
        const o = objects[m.at % Math.max(1, objects.length)];
        if (o && o.entries.length > 0) o.entries.splice(Math.floor(m.at / objects.length) % o.entries.length, 1);
        break;
      }
      case 'proto':
        objects[m.at % Math.max(1, objects.length)]?.entries.push([m.key, clone(m.node)]);
        break;
      case 'dup': {
        const o = objects[m.at % Math.max(1, objects.length)];
        if (!o || o.entries.length === 0) break;
        const i = Math.floor(m.at / objects.length) % o.entries.length;
        o.entries.splice(m.before ? i : i + 1, 0, [o.entries[i]![0], clone(m.node)]);
        break;
      }
    }
  }
  return root;
}
