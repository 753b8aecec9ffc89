// Plain JavaScript on purpose: it must run on any Node to tell an old one which version is needed,
// before anything written in TypeScript is loaded (the CLI, and `npm start`'s web build).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(`Coursebridge needs Node.js 22.18 or newer (24 LTS recommended); this is Node.js ${process.versions.node}.`);
  process.exit(1);
}
