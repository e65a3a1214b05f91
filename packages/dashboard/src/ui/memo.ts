import { Component, type FunctionComponent, h } from 'preact';

/**
 * A component that renders again only when one of its props is a different value (compared
 * with ===), for rows of long lists. Preact's own `memo` lives in preact/compat, whose import
 * installs hooks that touch every element the app creates; this is the part we need.
 */
export function memoByProps<P extends object>(render: FunctionComponent<P>): FunctionComponent<P> {
  class Memo extends Component<P> {
    override shouldComponentUpdate(next: P): boolean {
      return !sameProps(this.props as P, next);
    }
    override render() {
      return h(render, this.props as P);
    }
  }
  return Memo as unknown as FunctionComponent<P>;
}

function sameProps<P extends object>(a: P, b: P): boolean {
  const keys = Object.keys(a) as (keyof P)[];
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => Object.is(a[k], b[k]));
}
