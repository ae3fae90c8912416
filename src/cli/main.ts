// Placeholder entry so the build has a CLI bundle; replaced by the real CLI.
process.stdout.write('dataset-lab: not yet implemented\n');
