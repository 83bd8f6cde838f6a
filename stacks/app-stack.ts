import { IResolveContext, ref, TerraformStack } from "cdktf";

/**
 * A stack of this app, which never references another stack's resources: each stack is applied on its own (state
 * backend first, then the account stack, then each environment), and the environments find the account roles by
 * name, not through cross-stack references.
 *
 * cdktf's `prepareStack` resolves every element of every stack once in "preparing" mode before synthesis, for one
 * purpose only: to turn a reference to another stack's resource into a cross-stack output and a remote-state
 * lookup. That pass is a fifth of this app's synth time, so these stacks skip it (the backend is still ensured).
 * In exchange, a reference to another stack's resource is an error naming both stacks (see below), instead of the
 * reference to a resource the stack does not declare that cdktf would write without the preparing pass.
 */
export abstract class AppStack extends TerraformStack {
  prepareStack(): void {
    this.ensureBackendExists();
  }
}

interface ReferenceLike {
  readonly identifier: string;
  readonly originStack?: TerraformStack;
  readonly crossStackIdentifier: Record<string, string>;
  resolve(context: IResolveContext): unknown;
}

/** An error for a reference from one stack to another's resource that no preparing pass turned into a lookup. */
export class CrossStackReferenceError extends Error {}

// cdktf's Reference class is not exported; `ref` returns one. cdktf is archived at 0.21.0 and pinned exactly, so
// this prototype does not move; test/stacks/app-stack.test.ts proves the guard fires.
const referencePrototype = Object.getPrototypeOf(ref("guard")) as ReferenceLike;
const GUARDED = Symbol.for("dms-migrate.cross-stack-guard");
if (!(referencePrototype as unknown as Record<symbol, boolean>)[GUARDED]) {
  const resolve = referencePrototype.resolve;
  referencePrototype.resolve = function (this: ReferenceLike, context: IResolveContext) {
    if (!context.preparing && this.originStack) {
      const here = TerraformStack.of(context.scope);
      if (here !== this.originStack && !this.crossStackIdentifier[here.toString()]) {
        throw new CrossStackReferenceError(
          `${here.node.path} references ${this.identifier} of stack ${this.originStack.node.path}: this app's stacks do not reference each other (find the resource by name with a data source instead)`,
        );
      }
    }
    return resolve.call(this, context);
  };
  Object.defineProperty(referencePrototype, GUARDED, { value: true });
}
