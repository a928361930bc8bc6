import { type DocumentNode, getOperationAST, Kind, type SelectionSetNode, type ValueNode } from 'graphql';

/**
 * What a mutation request costs against its user's write budget: one per mutation field it
 * runs (aliases and fragments included, so 30 aliased sendMessage cost 30), except
 * `pushUpdates`, which costs one per update it carries (a push of 100 updates costs 100).
 * `__typename` costs nothing. A query or subscription costs 0.
 */
export function writeWeight(document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown>): number {
  const operation = getOperationAST(document, operationName);
  if (operation?.operation !== 'mutation') return 0;
  const fragments = new Map(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d.selectionSet] as const] : [])),
  );
  const visited = new Set<string>();
  const weigh = (set: SelectionSetNode): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === '__typename') continue;
        const updates = selection.name.value === 'pushUpdates' ? selection.arguments?.find((a) => a.name.value === 'updates') : undefined;
        total += updates ? Math.max(1, listLength(updates.value, variables)) : 1;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        total += weigh(selection.selectionSet);
      } else if (!visited.has(selection.name.value)) {
        visited.add(selection.name.value); // a fragment spread twice runs its fields once
        const fragment = fragments.get(selection.name.value);
        if (fragment) total += weigh(fragment);
      }
    }
    return total;
  };
  return weigh(operation.selectionSet);
}

/** How many items a list argument holds, written inline or passed as a variable. */
function listLength(value: ValueNode, variables: Record<string, unknown>): number {
  if (value.kind === Kind.LIST) return value.values.length;
  if (value.kind === Kind.VARIABLE) {
    const given = variables[value.name.value];
    return Array.isArray(given) ? given.length : 1;
  }
  return 1;
}
