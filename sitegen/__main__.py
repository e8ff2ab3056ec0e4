from sitegen.commands.cli import main

raise SystemExit(main())
