import { limits } from '@mailboat/schema';
import {
  type DocumentNode,
  type FieldNode,
  type GraphQLCompositeType,
  type GraphQLField,
  GraphQLIncludeDirective,
  type GraphQLInputType,
  type GraphQLSchema,
  GraphQLSkipDirective,
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getNullableType,
  getOperationAST,
  getVariableValues,
  isCompositeType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isObjectType,
  Kind,
  type SelectionSetNode,
} from 'graphql';
import { badInput } from '../errors.js';
import * as validate from '../validate.js';
import {
  dataBoundedLists,
  listArgumentCaps,
  pageSizeArguments,
  perItemQueryFields,
  perParentQueryFields,
  unsizedListLength,
  costWeights as w,
} from './query-cost-rules.js';

/**
 * The cost of the operation `operationName` of `document` with these (raw) variables, under
 * the model of query-cost-rules.ts: what a list argument or page size holds is read from
 * literals and variables alike, `@skip`/`@include` are honoured, every branch of a union or
 * interface is counted. An upper bound of the work, computed in time linear in the document.
 *
 * Throws BAD_USER_INPUT (`extensions.field` naming the argument) for a page size over
 * limits.pageSize.max or a list argument over its cap. Returns 0 when the operation or its
 * variables are invalid: execution then refuses it without running anything.
 */
export function queryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  rawVariables: Record<string, unknown>,
): number {
  const operation = getOperationAST(document, operationName);
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return 0;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables, { maxErrors: 1 });
  if (coerced.errors) return 0;
  const variables = coerced.coerced;
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  const fragmentCosts = new Map<string, number>();

  const skipped = (node: SelectionSetNode['selections'][number]) =>
    getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true ||
    getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if === false;

  /** `inherited`: the length of lists in this selection, set by the (non-list) field above. */
  const selectionCost = (set: SelectionSetNode, type: GraphQLCompositeType, inherited: number | undefined): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (skipped(selection)) continue;
      if (selection.kind === Kind.FIELD) {
        total += fieldCost(selection, type, inherited);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        total += selectionCost(selection.selectionSet, typeNamed(selection.typeCondition?.name.value) ?? type, inherited);
      } else {
        const key = `${selection.name.value}:${inherited}`;
        let cost = fragmentCosts.get(key);
        const fragment = fragments.get(selection.name.value);
        if (cost === undefined && fragment) {
          cost = selectionCost(fragment.selectionSet, typeNamed(fragment.typeCondition.name.value) ?? type, inherited);
          fragmentCosts.set(key, cost);
        }
        total += cost ?? 0;
      }
    }
    return total;
  };

  const typeNamed = (name: string | undefined) => {
    const type = name === undefined ? undefined : schema.getType(name);
    return type && isCompositeType(type) ? type : undefined;
  };

  const fieldCost = (node: FieldNode, parent: GraphQLCompositeType, inherited: number | undefined): number => {
    const def = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[node.name.value] : undefined;
    if (!def) return 0; // __typename, introspection, or a field validation already refused
    let args: Record<string, unknown>;
    try {
      args = getArgumentValues(def, node, variables);
    } catch {
      return 0; // execution refuses this field without resolving it
    }
    checkCaps(parent.name, def, args);
    const key = `${parent.name}.${def.name}`;
    const own = sizeFromArguments(def, args);
    const perParent = parent === root || own.page || perParentQueryFields.has(key) ? w.query : 0;
    const perItem = perItemQueryFields.has(key) ? (own.length ?? 1) * w.query : 0;
    const type = getNamedType(def.type);
    if (isLeafType(type) || !node.selectionSet) return perParent + perItem;
    const list = isListType(getNullableType(def.type));
    const length = list ? (own.length ?? inherited ?? dataBoundedLists[key] ?? unsizedListLength) : 1;
    const inner = selectionCost(node.selectionSet, type as GraphQLCompositeType, list ? undefined : own.length);
    return perParent + perItem + length * (w.object + inner);
  };

  return selectionCost(operation.selectionSet, root, undefined);
}

/** The page size a field asks for (first/last, else the default), or the length of its longest list argument. */
function sizeFromArguments(def: GraphQLField<unknown, unknown>, args: Record<string, unknown>): { length?: number; page: boolean } {
  if (def.args.some((a) => pageSizeArguments.has(a.name))) {
    const asked = [...pageSizeArguments].map((name) => args[name]).filter((v): v is number => typeof v === 'number');
    return { length: asked.length ? Math.max(0, ...asked) : limits.pageSize.default, page: true };
  }
  const lengths = Object.values(args).flatMap((v) => (Array.isArray(v) ? [v.length] : []));
  return { length: lengths.length ? Math.max(...lengths) : undefined, page: false };
}

/** Refuses a page size over limits.pageSize.max and a list argument (at any depth of an input) over its cap. */
function checkCaps(typeName: string, def: GraphQLField<unknown, unknown>, args: Record<string, unknown>): void {
  for (const arg of def.args) {
    const value = args[arg.name];
    if (pageSizeArguments.has(arg.name) && typeof value === 'number') validate.pageSize(arg.name, value);
    checkInput(value, arg.type, `${typeName}.${def.name}.${arg.name}`, arg.name);
  }
}

function checkInput(value: unknown, type: GraphQLInputType, capKey: string, path: string): void {
  if (value === null || value === undefined) return;
  const inner = getNullableType(type);
  if (isListType(inner)) {
    if (!Array.isArray(value)) return;
    const cap = listArgumentCaps[capKey];
    if (cap !== undefined && value.length > cap) throw badInput(path, `\`${path}\` holds at most ${cap} items`);
    for (const item of value) checkInput(item, inner.ofType, capKey, path);
  } else if (isInputObjectType(inner) && typeof value === 'object') {
    for (const field of Object.values(inner.getFields())) {
      const fieldValue = (value as Record<string, unknown>)[field.name];
      checkInput(fieldValue, field.type, `${inner.name}.${field.name}`, field.name);
    }
  }
}
