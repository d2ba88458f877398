// Operations are kept column by column behind the Map interface: what the table hands back equals what
// was stored, in the order operations were added, through replacements, deletions and growth.
import { describe, expect, it } from 'vitest';
import { OperationTable } from '../../src/catalog/operation-table.ts';
import type { InstanceRecord, OperationRecord } from '../../src/model/records.ts';

const op = (id: string, extra: Partial<OperationRecord> = {}): OperationRecord => ({
  id,
  type: 'REGISTER_INSTANCE',
  status: 'SUCCESS',
  createDate: 1764236000000.25,
  updateDate: 1764236000001,
  targets: { INSTANCE: 'i-1', SERVICE: 'srv-1', NAMESPACE: 'ns-1' },
  ...extra,
});

const shapes: { name: string; record: OperationRecord }[] = [
  { name: 'a registration with token and key', record: op('a', { requestId: 'tok', requestKey: 'i-1' }) },
  { name: 'a deregistration', record: op('b', { type: 'DEREGISTER_INSTANCE' }) },
  { name: 'a namespace operation', record: op('c', { type: 'CREATE_NAMESPACE', targets: { NAMESPACE: 'ns-1' }, requestId: 'tok' }) },
  {
    name: 'a service operation with a key only',
    record: op('d', { type: 'UPDATE_SERVICE', targets: { SERVICE: 'srv-1', NAMESPACE: 'ns-1' }, requestKey: '{}' }),
  },
  { name: 'an operation without targets', record: op('e', { targets: {}, status: 'PENDING' }) },
  { name: 'a failed operation (kept whole)', record: op('f', { status: 'FAIL', errorCode: 'X', errorMessage: 'why' }) },
];

describe('OperationTable', () => {
  it.each(shapes)('gives back $name equal to what was stored', ({ record }) => {
    const log = new OperationTable();
    log.set(record.id, record);
    expect(log.get(record.id)).toStrictEqual(record);
    expect([...log.values()]).toStrictEqual([record]);
    expect(new Map(log)).toStrictEqual(new Map([[record.id, record]]));
  });

  it('keeps a record stored under another key whole, under that key', () => {
    const log = new OperationTable();
    log.set('other', op('a'));
    expect(log.get('other')).toStrictEqual(op('a'));
    expect(log.has('a')).toBe(false);
  });

  it('keeps insertion order through replacements, deletions and reused slots, and grows past its first capacity', () => {
    const log = new OperationTable();
    const all = Array.from({ length: 300 }, (_, i) => op(`op-${i}`, { createDate: i, requestKey: `k${i}` }));
    for (const r of all) log.set(r.id, r);
    for (let i = 0; i < 300; i += 3) expect(log.delete(`op-${i}`)).toBe(true);
    expect(log.delete('op-0')).toBe(false);
    const replaced = op('op-1', { status: 'FAIL', errorCode: 'E' });
    log.set(replaced.id, replaced);
    const late = [op('late-1'), op('late-2', { requestId: 'x' })];
    for (const r of late) log.set(r.id, r);
    const expected = [...all.filter((_, i) => i % 3 !== 0).map((r) => (r.id === 'op-1' ? replaced : r)), ...late];
    expect([...log.values()]).toStrictEqual(expected);
    expect(log.size).toBe(expected.length);
    expect(log.get('op-0')).toBeUndefined();
    const dates: [string, number][] = [];
    log.forEachCreateDate((id, d) => dates.push([id, d]));
    expect(dates).toEqual(expected.map((r) => [r.id, r.createDate]));
    expect([...log.keys()]).toEqual(expected.map((r) => r.id));
    log.clear();
    expect([...log.values()]).toEqual([]);
    log.set('again', op('again'));
    expect([...log]).toStrictEqual([['again', op('again')]]);
  });

  it('stores a record that was kept whole back in the columns when it is replaced by a plain one', () => {
    const log = new OperationTable();
    log.set('a', op('a', { status: 'FAIL', errorMessage: 'no' }));
    log.set('a', op('a'));
    expect(log.get('a')).toStrictEqual(op('a'));
  });

  it('gives back the same values when it shares the strings of the registered instance', () => {
    const log = new OperationTable();
    const inst: InstanceRecord = { serviceId: 'srv-1', id: 'i-1', attributes: {}, creatorRequestId: 'tok', createDate: 1, seq: 1 };
    const record = op('a', { requestId: 'tok', requestKey: 'i-1' });
    log.put(record, inst);
    log.set('b', op('b', { requestId: 'tok' }));
    log.shareStrings(() => inst);
    expect(log.get('a')).toStrictEqual(record);
    expect(log.get('b')).toStrictEqual(op('b', { requestId: 'tok' }));
  });
});
