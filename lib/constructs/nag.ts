import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * The flat form cdk-nag gives a CloudFormation reference in a finding id
 * (`<Logical.Arn>`, `<AWS::Region>`...), so an acknowledgement can name the
 * exact resource it covers and any new wildcard is reported again.
 */
export function flattenCfnReference(reference: unknown): string {
  if (reference === undefined) return '';
  if (typeof reference === 'string') return reference.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof reference !== 'object' || reference === null) return JSON.stringify(reference);
  const node = reference as Record<string, unknown>;
  if (node['Fn::Join']) {
    const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
    return items.map(flattenCfnReference).join(delimiter);
  }
  if (node['Fn::Sub']) return flattenCfnReference(node['Fn::Sub']);
  if (node['Fn::GetAtt']) {
    const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
    return `<${flattenCfnReference(resource)}.${flattenCfnReference(attribute)}>`;
  }
  if (node['Fn::ImportValue']) return flattenCfnReference(node['Fn::ImportValue']);
  if (node.Ref) return `<${flattenCfnReference(node.Ref)}>`;
  return JSON.stringify(reference);
}

/** A value (ARN, name) of `scope`'s stack as it appears in a cdk-nag finding id. */
export function nagForm(scope: IConstruct, value: string): string {
  return flattenCfnReference(Stack.of(scope).resolve(value));
}
