import createHogQLParser from "@posthog/hogql-parser";

/**
 * A compiler from Hog source to hogvm bytecode (version 1) for the subset the destination uses: let,
 * assignment, dicts, arrays, field access, literals, comparisons, arithmetic, and/or/not, if/else, calls
 * (including async fetch), f-strings, throw and return. PostHog compiles Hog in Python; this lets the
 * tests run the destination on PostHog's own VM.
 */

const Op = {
  GET_GLOBAL: 1, CALL_GLOBAL: 2, AND: 3, OR: 4, NOT: 5, PLUS: 6, MINUS: 7, MULTIPLY: 8, DIVIDE: 9, MOD: 10,
  EQ: 11, NOT_EQ: 12, GT: 13, GT_EQ: 14, LT: 15, LT_EQ: 16, LIKE: 17, ILIKE: 18, NOT_LIKE: 19, NOT_ILIKE: 20,
  IN: 21, NOT_IN: 22, TRUE: 29, FALSE: 30, NULL: 31, STRING: 32, INTEGER: 33, FLOAT: 34, POP: 35,
  GET_LOCAL: 36, SET_LOCAL: 37, RETURN: 38, JUMP: 39, JUMP_IF_FALSE: 40, DICT: 42, ARRAY: 43, GET_PROPERTY: 45, THROW: 49,
} as const;

const COMPARE: Record<string, number> = {
  "==": Op.EQ, "!=": Op.NOT_EQ, ">": Op.GT, ">=": Op.GT_EQ, "<": Op.LT, "<=": Op.LT_EQ,
  like: Op.LIKE, ilike: Op.ILIKE, "not like": Op.NOT_LIKE, "not ilike": Op.NOT_ILIKE, in: Op.IN, "not in": Op.NOT_IN,
};
const ARITHMETIC: Record<string, number> = { "+": Op.PLUS, "-": Op.MINUS, "*": Op.MULTIPLY, "/": Op.DIVIDE, "%": Op.MOD };

type Node = { node: string; [key: string]: any };
type Bytecode = unknown[];

export class HogCompileError extends Error {}

class Compiler {
  /** Locals by name, in stack order; a block drops what it declared. */
  private locals: string[] = [];

  program(node: Node): Bytecode {
    const code = node.declarations.flatMap((d: Node) => this.statement(d));
    return ["_H", 1, ...code];
  }

  private statement(node: Node): Bytecode {
    switch (node.node) {
      case "VariableDeclaration": {
        const code = node.expr ? this.expr(node.expr) : [Op.NULL];
        this.locals.push(node.name);
        return code;
      }
      case "VariableAssignment": {
        const name = node.left?.chain?.[0];
        const index = this.locals.lastIndexOf(name);
        if (index < 0 || node.left.chain.length !== 1) throw new HogCompileError(`cannot assign to ${JSON.stringify(node.left)}`);
        return [...this.expr(node.right), Op.SET_LOCAL, index];
      }
      case "ExprStatement":
        return [...this.expr(node.expr), Op.POP];
      case "ReturnStatement":
        return [...(node.expr ? this.expr(node.expr) : [Op.NULL]), Op.RETURN];
      case "ThrowStatement":
        return [...this.expr(node.expr), Op.THROW];
      case "Block":
        return this.block(node);
      case "IfStatement": {
        const condition = this.expr(node.expr);
        const then = this.statement(node.then);
        const otherwise = node.else_ ? this.statement(node.else_) : [];
        if (!otherwise.length) return [...condition, Op.JUMP_IF_FALSE, then.length, ...then];
        return [...condition, Op.JUMP_IF_FALSE, then.length + 2, ...then, Op.JUMP, otherwise.length, ...otherwise];
      }
      default:
        throw new HogCompileError(`unsupported statement: ${node.node}`);
    }
  }

  private block(node: Node): Bytecode {
    const depth = this.locals.length;
    const code = node.declarations.flatMap((d: Node) => this.statement(d));
    const declared = this.locals.length - depth;
    this.locals.length = depth;
    return [...code, ...Array(declared).fill(Op.POP)];
  }

  private expr(node: Node): Bytecode {
    switch (node.node) {
      case "Constant":
        return this.constant(node.value);
      case "Field": {
        const [head, ...rest] = node.chain as (string | number)[];
        const local = typeof head === "string" ? this.locals.lastIndexOf(head) : -1;
        if (local >= 0) return [Op.GET_LOCAL, local, ...rest.flatMap((p) => [...this.constant(p), Op.GET_PROPERTY])];
        // GET_GLOBAL pops the chain: push it last element first.
        return [...[...node.chain].reverse().flatMap((p: string | number) => this.constant(p)), Op.GET_GLOBAL, node.chain.length];
      }
      case "Dict":
        return [...node.items.flatMap(([k, v]: [Node, Node]) => [...this.expr(k), ...this.expr(v)]), Op.DICT, node.items.length];
      case "Array":
        return [...node.exprs.flatMap((e: Node) => this.expr(e)), Op.ARRAY, node.exprs.length];
      case "Call":
        return [...node.args.flatMap((a: Node) => this.expr(a)), Op.CALL_GLOBAL, node.name, node.args.length];
      case "CompareOperation": {
        const op = COMPARE[node.op];
        if (!op) throw new HogCompileError(`unsupported comparison: ${node.op}`);
        return [...this.expr(node.right), ...this.expr(node.left), op];
      }
      case "ArithmeticOperation": {
        const op = ARITHMETIC[node.op];
        if (!op) throw new HogCompileError(`unsupported operator: ${node.op}`);
        return [...this.expr(node.right), ...this.expr(node.left), op];
      }
      case "And":
        return [...node.exprs.flatMap((e: Node) => this.expr(e)), Op.AND, node.exprs.length];
      case "Or":
        return [...node.exprs.flatMap((e: Node) => this.expr(e)), Op.OR, node.exprs.length];
      case "Not":
        return [...this.expr(node.expr), Op.NOT];
      default:
        throw new HogCompileError(`unsupported expression: ${node.node}`);
    }
  }

  private constant(value: unknown): Bytecode {
    if (value === null || value === undefined) return [Op.NULL];
    if (value === true) return [Op.TRUE];
    if (value === false) return [Op.FALSE];
    if (typeof value === "string") return [Op.STRING, value];
    if (typeof value === "number") return Number.isInteger(value) ? [Op.INTEGER, value] : [Op.FLOAT, value];
    throw new HogCompileError(`unsupported constant: ${JSON.stringify(value)}`);
  }
}

let parser: ReturnType<typeof createHogQLParser> | undefined;

/** Compile Hog source to hogvm bytecode; throws HogCompileError on syntax errors or unsupported constructs. */
export async function compileHog(source: string): Promise<Bytecode> {
  parser ??= createHogQLParser();
  const ast = JSON.parse((await parser).parseProgram(source));
  if (ast.error) throw new HogCompileError(`${ast.type ?? "SyntaxError"}: ${ast.message}`);
  return new Compiler().program(ast);
}
